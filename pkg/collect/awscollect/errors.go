package awscollect

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// CredentialsError means AWS rejected the credentials (expired, invalid, or none found). The
// collection stops at once and returns no snapshot: every further call would fail the same way,
// and a snapshot of what was read before would look complete where it is not. Callers treat it
// as a usage error (exit 2).
type CredentialsError struct {
	// Code is the AWS error code, e.g. "ExpiredToken"; "" when no credentials were found.
	Code string
	Err  error
}

// Error is one sentence with what to do; the SDK's own account (every provider of the chain
// it tried, request ids) is left out: it is in Err for callers that want it.
func (e *CredentialsError) Error() string {
	if e.Code != "" {
		msg := ""
		var ae smithy.APIError
		if errors.As(e.Err, &ae) && ae.ErrorMessage() != "" {
			msg = ": " + ae.ErrorMessage()
		}
		return fmt.Sprintf("aws rejected the credentials (%s%s): refresh them (e.g. aws sso login) and run again", e.Code, msg)
	}
	return "no aws credentials found (environment, shared config and credentials files, SSO, web identity, container and instance metadata were tried): " +
		"set AWS_PROFILE or pass --profile, run aws sso login or aws configure, or run where a role is attached"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialCodes are the error codes with which AWS rejects the caller's credentials themselves.
func isCredentialCode(code string) bool {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "InvalidSignatureException", "RequestExpired", "TokenRefreshRequired",
		"InvalidToken", "IncompleteSignature", "MissingAuthenticationToken":
		return true
	}
	return false
}

// asCredentialsError returns err as a *CredentialsError when AWS rejected the credentials.
func asCredentialsError(err error) (*CredentialsError, bool) {
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return ce, true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && isCredentialCode(ae.ErrorCode()) {
		return &CredentialsError{Code: ae.ErrorCode(), Err: err}, true
	}
	return nil, false
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
