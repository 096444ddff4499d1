// Package snapshot is the data model every input becomes: policy files, Kubernetes manifests,
// AWS CLI and kubectl exports, and live API collections all produce a Snapshot, and the rules read
// only this shape. It is a leaf package (standard library only); its JSON form is the input
// document that the Rego rules see, so field names and tags are part of the rule contract.
package snapshot

// Version is the version of the snapshot JSON format. It changes when a field is removed or its
// meaning changes; adding a field does not change it.
const Version = "1"

// Snapshot is everything the rules judge, with where each item came from.
type Snapshot struct {
	// Version is the snapshot format version (Version).
	Version string `json:"version"`
	// GeneratedAt is when the snapshot was taken (RFC 3339). Rules read time only from here.
	GeneratedAt string `json:"generated_at,omitempty"`
	// Sources lists every input that was read: files and API endpoints.
	Sources []Source `json:"sources,omitempty"`

	// Accounts are the AWS accounts seen, with what was inventoried in each.
	Accounts []Account `json:"accounts,omitempty"`
	// OIDCProviders are IAM OIDC identity providers.
	OIDCProviders []OIDCProvider `json:"oidc_providers,omitempty"`
	// Clusters are Kubernetes (EKS or other) clusters.
	Clusters []Cluster `json:"clusters,omitempty"`
	// Roles are IAM roles with their trust and permission policies.
	Roles []Role `json:"roles,omitempty"`
	// ManagedPolicies are customer- or AWS-managed policies, by ARN.
	ManagedPolicies []ManagedPolicy `json:"managed_policies,omitempty"`
	// Policies are standalone IAM policy documents read from files (the pull-request case): a
	// trust policy or a permission policy that is not (yet) attached to a known role.
	Policies []PolicyFile `json:"policies,omitempty"`
	// ServiceAccounts are Kubernetes ServiceAccounts.
	ServiceAccounts []ServiceAccount `json:"service_accounts,omitempty"`
	// Workloads are Pods and the controllers that create them, with the ServiceAccount they run as.
	Workloads []Workload `json:"workloads,omitempty"`
	// PodIdentityAssociations are EKS Pod Identity associations: the other way, besides IRSA,
	// that a ServiceAccount gets an IAM role.
	PodIdentityAssociations []PodIdentityAssociation `json:"pod_identity_associations,omitempty"`

	// Errors are inputs that could not be read or parsed. Everything else was still loaded.
	Errors []InputError `json:"errors,omitempty"`
	// Skipped are inputs that were passed over on purpose (templates, unrelated data, too large).
	Skipped []Skipped `json:"skipped,omitempty"`
	// NotJudged are values that are in the snapshot only as symbols (see Symbol): the rules
	// cannot prove anything about them, so each is listed here, with where it was written.
	NotJudged []NotJudged `json:"not_judged,omitempty"`
	// Stats counts what was read.
	Stats Stats `json:"stats"`
}

// Location says where an item was defined: a file and 1-based lines, or an API call.
type Location struct {
	// File is the path as given on the command line or found by the walk, with "/" separators;
	// "-" (or the --stdin-name) for standard input.
	File string `json:"file,omitempty"`
	// StartLine and EndLine are 1-based and inclusive; 0 when unknown.
	StartLine int `json:"start_line,omitempty"`
	EndLine   int `json:"end_line,omitempty"`
	// StartColumn is 1-based; 0 when unknown.
	StartColumn int `json:"start_column,omitempty"`
	// API names the API call the item came from, e.g. "iam:GetAccountAuthorizationDetails".
	API string `json:"api,omitempty"`
}

// Source is one input that was read.
type Source struct {
	// Kind is "file", "stdin" or "api".
	Kind string `json:"kind"`
	// Name is the file path or the API endpoint (service and region or cluster context).
	Name string `json:"name"`
	// Format says what the input was recognised as, e.g. "iam-policy", "kubernetes-manifest".
	Format string `json:"format,omitempty"`
}

// InputError is an input that could not be read or parsed.
type InputError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	API     string `json:"api,omitempty"`
	Message string `json:"message"`
}

// Skipped is an input, or a part of one, passed over on purpose, with the reason.
type Skipped struct {
	File string `json:"file"`
	// Line and Column locate the part not judged (a statement with a placeholder, a truncated
	// page); 0 when the whole file was skipped.
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Reason string `json:"reason"`
	// Named is true when the input was named on the command line rather than found by a
	// directory walk: the user asked for it to be judged.
	Named bool `json:"named,omitempty"`
	// Needed is true when what was passed over holds something the rules judge (a ServiceAccount
	// in a Go template, a trust statement with a placeholder, the pages after a truncated
	// export): the scan is known to be incomplete.
	Needed bool `json:"needed,omitempty"`
}

// NotJudged is a value the loader could not compute (a Terraform attribute known only after
// apply, a data source, Fn::GetAtt, Fn::ImportValue, a variable without a value): what holds it,
// the symbols, and where it was written. Whatever a rule would conclude from such a value is
// "cannot prove", never a pass.
type NotJudged struct {
	// Kind and ID name the item that holds the value, as a finding's resource would: "role"
	// (ID the role ARN), "policy", "managed_policy", "oidc_provider", "cluster",
	// "service_account", "pod_identity_association"; "resource" for an item that could not be
	// built at all (ID the Terraform address or CloudFormation logical id).
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Element says which part of the item, e.g. "trust policy statement 1, condition
	// StringEquals «module.eks.oidc_provider»:sub, values".
	Element string `json:"element"`
	// Symbols are the symbols in the value, sorted.
	Symbols []string `json:"symbols,omitempty"`
	// Reason says why the value is not known, e.g. "known only after apply".
	Reason string   `json:"reason"`
	Loc    Location `json:"loc"`
}

// SymbolOpen and SymbolClose delimit a symbol: the name of a value that is not known before
// deployment, written in place of the value, e.g. "«aws_eks_cluster.main.oidc_issuer»" or
// "arn:aws:iam::«AWS::AccountId»:oidc-provider/«EksCluster.OpenIdConnectIssuerUrl»". The
// same unknown value always gets the same symbol, so two places that refer to it compare equal;
// a symbol never equals a real value. Items holding one list the field in Unknown.
const (
	SymbolOpen  = "«"
	SymbolClose = "»"
)

// Stats counts what a snapshot was built from.
type Stats struct {
	// Files is the number of files read (parsed or not).
	Files int `json:"files"`
	// APICalls counts live API calls by operation, e.g. "iam:GetAccountAuthorizationDetails".
	APICalls map[string]int `json:"api_calls,omitempty"`
}

// Document is an IAM policy document (trust or permission), normalised: every legal JSON shape
// of the policy language becomes this one shape, and every statement and condition keeps its
// source location.
type Document struct {
	Version    string      `json:"version,omitempty"`
	ID         string      `json:"id,omitempty"`
	Statements []Statement `json:"statements"`
	Loc        Location    `json:"loc"`
}

// Statement is one policy statement. Single strings in the source become one-element lists.
type Statement struct {
	Sid string `json:"sid,omitempty"`
	// Effect is "Allow" or "Deny" (IAM accepts no other spelling).
	Effect       string     `json:"effect"`
	Principal    *Principal `json:"principal,omitempty"`
	NotPrincipal *Principal `json:"not_principal,omitempty"`
	// Actions and NotActions are as written (IAM compares them case-insensitively).
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"not_actions,omitempty"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"not_resources,omitempty"`
	// Conditions has one entry per (operator, key) pair, in source order.
	Conditions []Condition `json:"conditions,omitempty"`
	// Unknown names the elements whose value holds a symbol (see Symbol): "principal",
	// "not_principal", "actions", "not_actions", "resources", "not_resources".
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// Principal is a statement's Principal or NotPrincipal.
type Principal struct {
	// Wildcard is true for "Principal": "*".
	Wildcard      bool     `json:"wildcard,omitempty"`
	AWS           []string `json:"aws,omitempty"`
	Federated     []string `json:"federated,omitempty"`
	Service       []string `json:"service,omitempty"`
	CanonicalUser []string `json:"canonical_user,omitempty"`
}

// Condition is one condition entry: an operator applied to one key with one or more values.
type Condition struct {
	// Operator is as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string `json:"operator"`
	// Qualifier is "ForAnyValue", "ForAllValues" or "".
	Qualifier string `json:"qualifier,omitempty"`
	// BaseOperator is the canonical operator without qualifier and IfExists, e.g. "StringLike";
	// the spelling as written when the operator is not one IAM knows.
	BaseOperator string `json:"base_operator"`
	// IfExists is true for the ...IfExists form.
	IfExists bool `json:"if_exists,omitempty"`
	// Negated is true for the negated operators (StringNotEquals, StringNotLike, ArnNotLike, ...).
	Negated bool `json:"negated,omitempty"`
	// Known is false when BaseOperator is not an operator of the IAM policy language.
	Known bool `json:"known"`
	// Key is the condition key as written (IAM compares keys case-insensitively).
	Key string `json:"key"`
	// Values are the condition values as strings: booleans become "true"/"false", numbers keep
	// their source text. Values are case-sensitive.
	Values []string `json:"values"`
	// Unknown names the elements whose value holds a symbol (see Symbol): "key", "values".
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// PolicyFile is a standalone policy document read from a file.
type PolicyFile struct {
	// ID identifies the document: the file path, with "#<n>" when a file holds several.
	ID       string   `json:"id"`
	Document Document `json:"document"`
	Loc      Location `json:"loc"`
}

// Account is an AWS account and what was inventoried in it.
type Account struct {
	ID string `json:"id"`
	// Inventory says which lists of this account are complete. Rules that judge by absence
	// (orphans, dangling references, unregistered providers) fire only where it is complete.
	Inventory AccountInventory `json:"inventory"`
}

// AccountInventory records which inventories of an account are complete.
type AccountInventory struct {
	Roles         bool `json:"roles"`
	OIDCProviders bool `json:"oidc_providers"`
	// ClusterRegions are the regions whose EKS cluster list is complete.
	ClusterRegions []string `json:"cluster_regions,omitempty"`
	// AllRegions is true when ClusterRegions covers every region the account uses.
	AllRegions bool `json:"all_regions"`
	// Notes say why an inventory is incomplete.
	Notes []string `json:"notes,omitempty"`
}

// OIDCProvider is an IAM OIDC identity provider.
type OIDCProvider struct {
	ARN       string `json:"arn"`
	AccountID string `json:"account_id"`
	// Issuer is the provider URL without scheme, e.g. "oidc.eks.us-east-1.amazonaws.com/id/ABC".
	Issuer      string   `json:"issuer"`
	ClientIDs   []string `json:"client_ids,omitempty"`
	Thumbprints []string `json:"thumbprints,omitempty"`
	// Unknown names the fields whose value holds a symbol (see Symbol): "arn", "account_id",
	// "issuer".
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// Cluster is a Kubernetes cluster and what was inventoried in it.
type Cluster struct {
	// ID is the key ServiceAccounts and Workloads use: the EKS cluster ARN when known, else
	// the name given by the user or the kubeconfig context.
	ID        string `json:"id"`
	Name      string `json:"name"`
	ARN       string `json:"arn,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	Region    string `json:"region,omitempty"`
	// Issuer is the OIDC issuer URL without scheme.
	Issuer    string           `json:"issuer,omitempty"`
	Inventory ClusterInventory `json:"inventory"`
	// Unknown names the fields whose value holds a symbol (see Symbol), e.g. "issuer" of a
	// cluster that Terraform or CloudFormation has yet to create.
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// ClusterInventory records which inventories of a cluster are complete.
type ClusterInventory struct {
	ServiceAccounts bool     `json:"service_accounts"`
	Workloads       bool     `json:"workloads"`
	Notes           []string `json:"notes,omitempty"`
}

// Role is an IAM role.
type Role struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	AccountID string `json:"account_id"`
	Path      string `json:"path,omitempty"`
	// TrustPolicy is the role's assume-role policy document.
	TrustPolicy      *Document        `json:"trust_policy,omitempty"`
	InlinePolicies   []InlinePolicy   `json:"inline_policies,omitempty"`
	AttachedPolicies []AttachedPolicy `json:"attached_policies,omitempty"`
	// PermissionsBoundary is the ARN of the boundary policy, if any.
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	LastUsed            string            `json:"last_used,omitempty"`
	LastUsedRegion      string            `json:"last_used_region,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	// Unknown names the fields whose value holds a symbol (see Symbol), e.g. "arn",
	// "account_id" of a role that Terraform has yet to create.
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// InlinePolicy is a role's inline policy.
type InlinePolicy struct {
	Name     string   `json:"name"`
	Document Document `json:"document"`
}

// AttachedPolicy is a managed policy attached to a role; its document is in ManagedPolicies.
type AttachedPolicy struct {
	ARN  string `json:"arn"`
	Name string `json:"name,omitempty"`
	// Loc is the attachment entry (an AttachedManagedPolicies item of an export), so that a
	// finding about what the policy grants the role points at it; empty from the API.
	Loc Location `json:"loc"`
}

// ManagedPolicy is a customer-managed or AWS-managed policy: its default (in force) version.
type ManagedPolicy struct {
	ARN              string    `json:"arn"`
	Name             string    `json:"name"`
	DefaultVersionID string    `json:"default_version_id,omitempty"`
	Document         *Document `json:"document,omitempty"`
	Loc              Location  `json:"loc"`
}

// ServiceAccount is a Kubernetes ServiceAccount.
type ServiceAccount struct {
	// Cluster is the Cluster.ID it belongs to; "" when unknown (a manifest file).
	Cluster     string            `json:"cluster,omitempty"`
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// RoleARN is the eks.amazonaws.com/role-arn annotation, verbatim ("" when absent).
	RoleARN string `json:"role_arn,omitempty"`
	// RoleARNLoc is where the annotation value is, when known.
	RoleARNLoc *Location `json:"role_arn_loc,omitempty"`
	// Unknown names the fields whose value holds a symbol (see Symbol): "namespace", "name",
	// "role_arn".
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}

// Workload is a Pod or a controller that creates Pods (Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, CronJob), with the ServiceAccount its Pods run as.
type Workload struct {
	Kind      string `json:"kind"`
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// ServiceAccount is spec.serviceAccountName (or the deprecated serviceAccount); "default"
	// when neither is set, as Kubernetes does.
	ServiceAccount string `json:"service_account"`
	// AutomountToken is false when the pod spec disables the token mount.
	AutomountToken *bool    `json:"automount_token,omitempty"`
	Loc            Location `json:"loc"`
}

// PodIdentityAssociation is an EKS Pod Identity association: pods running as ServiceAccount
// Namespace/ServiceAccount in the cluster get credentials for RoleARN (and, chained, for
// TargetRoleARN when set).
type PodIdentityAssociation struct {
	// ARN is the association ARN.
	ARN string `json:"arn"`
	// ID is the association id, e.g. "a-abcdefghijklmnop1".
	ID string `json:"id,omitempty"`
	// Cluster is the Cluster.ID it belongs to (the EKS cluster ARN).
	Cluster        string `json:"cluster"`
	AccountID      string `json:"account_id,omitempty"`
	Region         string `json:"region,omitempty"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"service_account"`
	RoleARN        string `json:"role_arn"`
	// TargetRoleARN is the role assumed from RoleARN for cross-account access, if any.
	TargetRoleARN string `json:"target_role_arn,omitempty"`
	// OwnerARN is set when an EKS add-on owns the association.
	OwnerARN           string `json:"owner_arn,omitempty"`
	DisableSessionTags bool   `json:"disable_session_tags,omitempty"`
	// Unknown names the fields whose value holds a symbol (see Symbol), e.g. "role_arn" of a
	// role eksctl has yet to create.
	Unknown []string `json:"unknown,omitempty"`
	Loc     Location `json:"loc"`
}
