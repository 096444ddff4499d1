package awscollect

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go/logging"

	"github.com/irsa-audit/irsa-audit/pkg/collect/internal/progress"
)

// pageTokens remembers the pagination tokens (IAM's Marker, NextToken elsewhere) of one listing.
// A service that answers a page with a token it gave before would be followed for ever; the
// listing stops with a RepeatedTokenError instead. The SDK's paginators only stop quietly on an
// immediately repeated token, and only when asked to.
type pageTokens struct {
	api  string
	seen map[string]bool
}

func newPageTokens(api string) *pageTokens { return &pageTokens{api: api, seen: map[string]bool{}} }

// next records the token of the page just read and returns it as the token to ask with, or
// an error when it was seen before. "" (no more pages) is returned as is.
func (p *pageTokens) next(tok *string) (*string, error) {
	if tok == nil || *tok == "" {
		return nil, nil
	}
	if p.seen[*tok] {
		return nil, &RepeatedTokenError{API: p.api, Page: len(p.seen) + 1}
	}
	p.seen[*tok] = true
	return tok, nil
}

// RepeatedTokenError is a listing whose pagination token came back a second time; the listing
// was stopped, and what it had read is incomplete.
type RepeatedTokenError struct {
	API  string
	Page int // the page whose token was a repeat
}

func (e *RepeatedTokenError) Error() string {
	return fmt.Sprintf("%s: page %d repeated the pagination token of an earlier page (a faulty endpoint or proxy); the listing was stopped", e.API, e.Page)
}

// tokenCode is "RepeatedToken" for a RepeatedTokenError, for inventory notes; "" otherwise.
func tokenCode(err error) string {
	var rt *RepeatedTokenError
	if errors.As(err, &rt) {
		return "RepeatedToken"
	}
	return ""
}

// sdkLogger sends the SDK's log lines to the progress reporter (quiet when there is none).
type sdkLogger struct{ p *progress.Reporter }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	l.p.Printf("aws sdk: "+string(c)+": "+format, v...)
}
