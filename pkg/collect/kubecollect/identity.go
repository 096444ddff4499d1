package kubecollect

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// eksRef is what a kubeconfig says about the EKS cluster behind a context.
type eksRef struct {
	ARN       string
	AccountID string
	Region    string
	Name      string
}

func (r eksRef) known() bool { return r.Name != "" && r.Region != "" }

var (
	eksARN      = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:eks:([a-z0-9-]+):([0-9]{12}):cluster/([A-Za-z0-9][A-Za-z0-9_-]*)$`)
	eksEndpoint = regexp.MustCompile(`^https://[A-Za-z0-9]+\.[a-z0-9]+\.([a-z0-9-]+)\.eks\.amazonaws\.com(\.cn)?/?$`)
)

func parseARN(s string) (eksRef, bool) {
	m := eksARN.FindStringSubmatch(s)
	if m == nil {
		return eksRef{}, false
	}
	return eksRef{ARN: s, Region: m[1], AccountID: m[2], Name: m[3]}, true
}

// eksFromKubeconfig reads the EKS identity of a context the way `aws eks update-kubeconfig`
// writes it: the context or cluster entry named by the cluster ARN, the exec plugin's
// --cluster-name/--region (aws eks get-token) or -i (aws-iam-authenticator), and the endpoint's
// region. override is --cluster: an ARN or a cluster name.
func eksFromKubeconfig(raw clientcmdapi.Config, contextName, override string) eksRef {
	var ref eksRef
	kctx := raw.Contexts[contextName]
	if r, ok := parseARN(override); ok {
		return r
	}
	if r, ok := parseARN(contextName); ok {
		ref = r
	}
	if kctx != nil {
		if r, ok := parseARN(kctx.Cluster); ok && ref.ARN == "" {
			ref = r
		}
		if c := raw.Clusters[kctx.Cluster]; c != nil && ref.Region == "" {
			if m := eksEndpoint.FindStringSubmatch(c.Server); m != nil {
				ref.Region = m[1]
			}
		}
		if u := raw.AuthInfos[kctx.AuthInfo]; u != nil && u.Exec != nil {
			name, region := execArgs(u.Exec.Args)
			if ref.Name == "" {
				ref.Name = name
			}
			if ref.Region == "" {
				ref.Region = region
			}
			for _, e := range u.Exec.Env {
				if ref.Region == "" && (e.Name == "AWS_REGION" || e.Name == "AWS_DEFAULT_REGION") {
					ref.Region = e.Value
				}
			}
		}
	}
	if override != "" && ref.ARN == "" {
		ref.Name = override
	}
	return ref
}

// execArgs finds the cluster name and region in an exec credential plugin's arguments.
func execArgs(args []string) (name, region string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
				return v
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch k, _, _ := strings.Cut(a, "="); k {
		case "--cluster-name", "-i", "--cluster-id":
			name = val()
		case "--region":
			region = val()
		}
	}
	return name, region
}

// discoveryIssuer reads the service account issuer from the API server's OIDC discovery
// document and returns it without scheme.
func discoveryIssuer(ctx context.Context, cs kubernetes.Interface) (string, error) {
	data, err := cs.Discovery().RESTClient().Get().AbsPath("/.well-known/openid-configuration").DoRaw(ctx)
	if err != nil {
		// For a non-resource path client-go cannot decode the Status it gets back ("unknown");
		// the body has the API server's own message.
		var st metav1.Status
		if json.Unmarshal(data, &st) == nil && st.Message != "" {
			return "", fmt.Errorf("get /.well-known/openid-configuration: %s", st.Message)
		}
		return "", fmt.Errorf("get /.well-known/openid-configuration: %w", err)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("decode /.well-known/openid-configuration: %w", err)
	}
	if doc.Issuer == "" {
		return "", fmt.Errorf("/.well-known/openid-configuration has no issuer")
	}
	return iam.NormalizeIssuer(doc.Issuer), nil
}

// applyEKS copies an EKS description into the cluster.
func applyEKS(cl *snapshot.Cluster, d snapshot.Cluster) {
	if d.ARN != "" {
		cl.ID, cl.ARN = d.ARN, d.ARN
	}
	if d.Name != "" {
		cl.Name = d.Name
	}
	if d.AccountID != "" {
		cl.AccountID = d.AccountID
	}
	if d.Region != "" {
		cl.Region = d.Region
	}
	cl.Issuer = d.Issuer
}
