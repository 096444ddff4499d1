package permissions

import (
	"github.com/irsa-audit/irsa-audit/pkg/iamcatalog"
)

// The dangerous action classes, by the patterns that define them against the catalog.
var (
	// privilegeEscalationPatterns grant a way to more permissions on whatever resources of
	// their type they apply to: new policy versions, attached or inline policies, trust policies,
	// permissions boundaries put or removed, credentials for users, group membership.
	privilegeEscalationPatterns = []string{
		"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:Attach*Policy",
		"iam:Put*Policy", "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey",
		"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:PutRolePermissionsBoundary",
		"iam:DeleteRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
		"iam:DeleteUserPermissionsBoundary", "iam:AddUserToGroup",
	}
	// passRoleCombos are the actions that, with iam:PassRole, run code as a passed role (the
	// well-known PassRole escalation paths), with the service principals the role is passed to
	// (iam:PassedToService) for each.
	passRoleCombos = []struct {
		action   string
		services []string
	}{
		{"lambda:CreateFunction", []string{"lambda"}},
		{"ec2:RunInstances", []string{"ec2"}},
		{"ec2:RequestSpotInstances", []string{"ec2"}},
		{"ecs:RunTask", []string{"ecs-tasks", "ecs"}},
		{"ecs:StartTask", []string{"ecs-tasks", "ecs"}},
		{"ecs:RegisterTaskDefinition", []string{"ecs-tasks", "ecs"}},
		{"glue:CreateDevEndpoint", []string{"glue"}},
		{"glue:CreateJob", []string{"glue"}},
		{"cloudformation:CreateStack", []string{"cloudformation"}},
		{"datapipeline:CreatePipeline", []string{"datapipeline", "ec2"}},
		{"sagemaker:CreateNotebookInstance", []string{"sagemaker"}},
		{"sagemaker:CreateTrainingJob", []string{"sagemaker"}},
		{"sagemaker:CreateProcessingJob", []string{"sagemaker"}},
		{"codebuild:CreateProject", []string{"codebuild"}},
		{"states:CreateStateMachine", []string{"states"}},
		{"scheduler:CreateSchedule", []string{"scheduler"}},
	}
	// mostDangerous orders action lists in messages: these first, in this order, then by class
	// (see classes.rank), then by name.
	mostDangerous = []string{
		"iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
		"iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
		"iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:CreateAccessKey",
		"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:DeleteRolePermissionsBoundary",
		"iam:PutRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
		"iam:PutUserPermissionsBoundary", "iam:AddUserToGroup", "sts:AssumeRole",
		"secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
		"ssm:GetParametersByPath", "kms:Decrypt",
		"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl",
		"s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock",
		"s3:PutBucketOwnershipControls", "s3:DeleteBucket", "s3:DeleteObject",
		"s3:DeleteObjectVersion", "s3:PutObject", "s3:BypassGovernanceRetention",
		"s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
		"s3:PutEncryptionConfiguration", "s3:GetObject", "s3:ListBucket",
	}
	// secretsReadPatterns read secret values; they count when granted on every resource.
	secretsReadPatterns = []string{"secretsmanager:GetSecretValue", "ssm:GetParameter*", "kms:Decrypt"}
)

// classes holds the catalog's action sets that the analysis tests statements against.
type classes struct {
	n          int
	full       actionSet
	s3         actionSet // every s3 action
	s3Write    actionSet // s3 actions of level Write
	s3Perm     actionSet // s3 actions of level Permissions management
	privesc    actionSet // privilegeEscalationPatterns
	secrets    actionSet // secretsReadPatterns
	combos     actionSet // passRoleCombos
	passRole   int       // iam:PassRole, -1 when the catalog lacks it
	assumeRole int       // sts:AssumeRole, -1 when the catalog lacks it
	// updateTrust is iam:UpdateAssumeRolePolicy, -1 when the catalog lacks it.
	updateTrust int
	// comboServices are the service principals of each action of combos.
	comboServices map[int][]string
	priority      map[int]int // mostDangerous action -> its position
	// prioritized are the catalog numbers of mostDangerous, in its order.
	prioritized   []int
	s3WriteOrPerm actionSet
	// privOrSecrets is privesc, secrets, iam:PassRole and sts:AssumeRole.
	privOrSecrets actionSet
	// danger is the union of every set above: a statement that grants none of it and uses no
	// NotAction, NotResource or explicit S3 action has no fact to report.
	danger actionSet
}

func newClasses(cat *iamcatalog.Catalog) classes {
	n := cat.Len()
	c := classes{n: n, full: newSet(n), s3: newSet(n), s3Write: newSet(n), s3Perm: newSet(n),
		privesc: newSet(n), secrets: newSet(n), combos: newSet(n), passRole: -1, assumeRole: -1,
		updateTrust: -1, comboServices: map[int][]string{}}
	c.full.fill(n)
	if s3, ok := cat.Service("s3"); ok {
		for i := s3.First; i < s3.End; i++ {
			c.s3.add(i)
			switch cat.At(i).Level {
			case iamcatalog.Write:
				c.s3Write.add(i)
			case iamcatalog.PermissionsManagement:
				c.s3Perm.add(i)
			}
		}
	}
	fill := func(s actionSet, patterns []string) {
		for _, p := range patterns {
			for _, i := range cat.ExpandIndex(p) {
				s.add(i)
			}
		}
	}
	fill(c.privesc, privilegeEscalationPatterns)
	fill(c.secrets, secretsReadPatterns)
	for _, pc := range passRoleCombos {
		if i, ok := cat.Lookup(pc.action); ok {
			c.combos.add(i)
			c.comboServices[i] = pc.services
		}
	}
	if i, ok := cat.Lookup("iam:UpdateAssumeRolePolicy"); ok {
		c.updateTrust = i
	}
	if i, ok := cat.Lookup("iam:PassRole"); ok {
		c.passRole = i
	}
	if i, ok := cat.Lookup("sts:AssumeRole"); ok {
		c.assumeRole = i
	}
	c.priority = map[int]int{}
	for p, name := range mostDangerous {
		if i, ok := cat.Lookup(name); ok {
			c.priority[i] = p
			c.prioritized = append(c.prioritized, i)
		}
	}
	c.s3WriteOrPerm = c.s3Write.clone()
	c.s3WriteOrPerm.or(c.s3Perm)
	c.privOrSecrets = c.privesc.clone()
	c.privOrSecrets.or(c.secrets)
	for _, i := range []int{c.passRole, c.assumeRole} {
		if i >= 0 {
			c.privOrSecrets.add(i)
		}
	}
	c.danger = c.s3.clone()
	c.danger.or(c.privesc)
	c.danger.or(c.secrets)
	c.danger.or(c.combos)
	for _, i := range []int{c.passRole, c.assumeRole} {
		if i >= 0 {
			c.danger.add(i)
		}
	}
	return c
}

// rank orders actions for messages, most dangerous first: mostDangerous in its order, then
// privilege escalation, secrets, S3 permissions management, S3 write, then everything else.
func (c *classes) rank(i int) int {
	if p, ok := c.priority[i]; ok {
		return p
	}
	base := len(mostDangerous)
	switch {
	case c.privesc.has(i) || i == c.passRole || i == c.assumeRole:
		return base
	case c.secrets.has(i):
		return base + 1
	case c.s3Perm.has(i):
		return base + 2
	case c.s3Write.has(i):
		return base + 3
	}
	return base + 4
}

// list renders a set as an ActionList: the first MaxNames names in catalog order (by service,
// then name), or, when ranked, the MaxNames most dangerous (see rank); and the size of the set.
func (a *analyzer) list(s actionSet, ranked bool) ActionList {
	l := ActionList{Names: []string{}, Count: s.count()}
	if !ranked {
		s.each(func(i int) bool {
			if len(l.Names) == MaxNames {
				return false
			}
			l.Names = append(l.Names, a.cat.At(i).String())
			return true
		})
		return l
	}
	// Pick the top MaxNames without sorting the whole set: the priority list in order, then
	// each class in catalog order.
	var picked []int
	for _, i := range a.cls.prioritized {
		if len(picked) == MaxNames {
			break
		}
		if s.has(i) {
			picked = append(picked, i)
		}
	}
	for r := len(mostDangerous); r <= len(mostDangerous)+4 && len(picked) < MaxNames; r++ {
		s.each(func(i int) bool {
			if a.cls.rank(i) == r {
				picked = append(picked, i)
			}
			return len(picked) < MaxNames
		})
	}
	for _, i := range picked {
		l.Names = append(l.Names, a.cat.At(i).String())
	}
	return l
}

// hasWildcard reports whether an action or resource pattern has a "*" or "?".
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}
