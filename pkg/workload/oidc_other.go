package workload

import (
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/trust"
)

// OtherOIDCTrust is a trust in the OIDC provider of an issuer that is neither a Kubernetes
// cluster's (an EKS issuer, or "sub" values naming ServiceAccounts: the IRSA rules judge those)
// nor a CI platform of the registry, that admits a token whatever its subject.
type OtherOIDCTrust struct {
	Resource Resource `json:"resource"`
	// Path is the path into the input of the first Allow statement that may admit its tokens.
	Path     []any  `json:"path"`
	Provider string `json:"provider"`
	Issuer   string `json:"issuer"`
	// SubjectCondition is true when such a statement has a condition on "<issuer>:sub" (which
	// then does not restrict).
	SubjectCondition bool `json:"subject_condition"`
}

// OtherOIDCTrusts lists, in input order (roles, then policy files), the trusts in other OIDC
// issuers that admit a token of any subject: probed with a subject no one has, under every
// audience the trust names and one it does not.
func OtherOIDCTrusts(snap *snapshot.Snapshot) []OtherOIDCTrust {
	out := []OtherOIDCTrust{}
	for tr := range trustProviders(snap) {
		parsed, ok := iam.ParseProviderARN(tr.provider)
		if !ok || snapshot.HasSymbol(parsed.Issuer) {
			continue
		}
		if _, eks := iam.EKSIssuer(parsed.Issuer); eks {
			continue
		}
		if _, _, _, known := PlatformOf(parsed.Issuer); known {
			continue
		}
		if t, ok := otherOIDCTrust(tr.doc, tr.res, tr.base, tr.provider, parsed.Issuer); ok {
			out = append(out, t)
		}
	}
	return out
}

func otherOIDCTrust(doc *snapshot.Document, res Resource, base []any, provider, issuer string) (OtherOIDCTrust, bool) {
	allowing := trust.Matching(doc, probeToken(provider, issuer, nil, nil))
	if len(allowing) == 0 {
		return OtherOIDCTrust{}, false
	}
	t := OtherOIDCTrust{Resource: res, Path: append(slices.Clone(base), "statements", allowing[0]), Provider: provider, Issuer: issuer}
	subKey, audKey := strings.ToLower(issuer)+":sub", strings.ToLower(issuer)+":aud"
	audiences := []string{witnessName + "-audience", iam.DefaultAudience}
	for _, s := range allowing {
		for _, c := range doc.Statements[s].Conditions {
			switch strings.ToLower(c.Key) {
			case subKey:
				t.SubjectCondition = true
				for _, v := range c.Values {
					if strings.Contains(v, "system:serviceaccount:") {
						return OtherOIDCTrust{}, false // a Kubernetes issuer: the IRSA rules' case
					}
				}
			case audKey:
				audiences = append(audiences, c.Values...)
			}
		}
	}
	for _, aud := range audiences {
		if admitted(doc, probeToken(provider, issuer, []string{witnessName}, []string{aud})) {
			return t, true
		}
	}
	return OtherOIDCTrust{}, false
}
