// Package cloudformation reads CloudFormation templates (JSON, and YAML with the short-form
// tags !Ref, !Sub, !GetAtt, ...), SAM templates and CDK synth output into snapshot items: IAM
// roles with their trust and permission documents, managed policies, IAM OIDC providers, EKS
// clusters, Pod Identity associations and the ServiceAccounts of CDK's Kubernetes manifests,
// each located at its template node.
//
// Intrinsic functions are evaluated: Ref to parameters (a --cfn-parameters file, else the
// Default), Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::If (a document that
// uses conditions is rendered once for every combination of them and all renderings are judged,
// as cfn-lint does), Fn::GetAtt of the attributes the model knows (a role's Arn, a cluster's
// OpenIdConnectIssuerUrl, the Value of CDK's Custom::AWSCDKCfnJson, whose JSON is expanded so
// CDK's IRSA conditions are graded). What a template cannot know (AWS::AccountId, AWS::Region,
// other attributes, Fn::ImportValue, parameters without a value) becomes a symbol «...»;
// AWS::Partition is taken as "aws" and AWS::URLSuffix as "amazonaws.com".
package cloudformation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/irsa-audit/irsa-audit/pkg/iam"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// Is reports whether a parsed document is a CloudFormation template: it has
// AWSTemplateFormatVersion, or Resources whose entries have a Type of AWS::, Custom:: or
// Alexa:: resources.
func Is(n *syntax.Node) bool {
	if n == nil || n.Kind != syntax.Object {
		return false
	}
	if n.Field("AWSTemplateFormatVersion") != nil {
		return true
	}
	res := n.Get("Resources")
	if res == nil || res.Kind != syntax.Object || len(res.Fields) == 0 {
		return false
	}
	for _, f := range res.Fields {
		t := f.Value.Get("Type")
		if t == nil || t.Kind != syntax.String {
			return false
		}
		if !strings.HasPrefix(t.Value, "AWS::") && !strings.HasPrefix(t.Value, "Custom::") && !strings.HasPrefix(t.Value, "Alexa::") {
			return false
		}
	}
	return true
}

// Result is what one template contributes.
type Result struct {
	Items snapshot.Snapshot
}

// template is a template being read.
type template struct {
	file      string
	stack     string // the file, for symbols of generated names
	params    map[string]*syntax.Node
	given     map[string]string
	mappings  *syntax.Node
	resources map[string]*syntax.Node // logical id -> resource
	order     []string
	reasons   map[string]string
	// scenario assigns the CFN conditions used by Fn::If while a document is rendered; nil
	// outside documents (Fn::If then takes both branches in lists, the first elsewhere).
	scenario map[string]bool
	used     []string // conditions met while rendering
	depth    int
	busy     map[string]bool
	items    snapshot.Snapshot
}

// maxScenarios bounds the renderings of one document (2^conditions).
const maxConditions = 4

// Load reads a template. params are parameter values given with --cfn-parameters.
func Load(n *syntax.Node, file string, params map[string]string) (*Result, error) {
	t := &template{file: file, stack: strings.NewReplacer("/", ".", ":", ".").Replace(file), params: map[string]*syntax.Node{},
		given: params, resources: map[string]*syntax.Node{}, reasons: map[string]string{}, busy: map[string]bool{}}
	if p := n.Get("Parameters"); p != nil {
		if p.Kind != syntax.Object {
			return nil, syntax.Errorf(p, "Parameters must be an object, not %s", p.Kind)
		}
		for _, f := range p.Fields {
			t.params[f.Key] = f.Value
		}
	}
	t.mappings = n.Get("Mappings")
	res := n.Get("Resources")
	if res == nil {
		return &Result{}, nil
	}
	if res.Kind != syntax.Object {
		return nil, syntax.Errorf(res, "Resources must be an object, not %s", res.Kind)
	}
	for _, f := range res.Fields {
		if f.Value.Kind != syntax.Object {
			return nil, syntax.Errorf(f.Value, "resource %s must be an object, not %s", f.Key, f.Value.Kind)
		}
		typ := f.Value.Get("Type")
		if typ == nil || typ.Kind != syntax.String {
			return nil, syntax.Errorf(f.Value, "resource %s has no Type", f.Key)
		}
		t.resources[f.Key] = f.Value
		t.order = append(t.order, f.Key)
	}
	if err := t.build(); err != nil {
		return nil, err
	}
	return &Result{Items: t.items}, nil
}

func (t *template) symbol(name, reason string) string {
	s := snapshot.SymbolOpen + strings.ReplaceAll(name, ":", ".") + snapshot.SymbolClose
	if _, ok := t.reasons[s]; !ok {
		t.reasons[s] = reason
	}
	return s
}

func (t *template) reasonOf(syms []string) string {
	var rs []string
	for _, s := range syms {
		r := cmp.Or(t.reasons[s], "known only when the stack is deployed")
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return strings.Join(rs, "; ")
}

func (t *template) typeOf(logical string) string {
	if r := t.resources[logical]; r != nil {
		return r.Get("Type").Value
	}
	return ""
}

func (t *template) props(logical string) *syntax.Node {
	if r := t.resources[logical]; r != nil {
		if p := r.Get("Properties"); p != nil && p.Kind == syntax.Object {
			return p
		}
	}
	return &syntax.Node{Kind: syntax.Object}
}

func (t *template) account() string {
	return t.symbol("AWS.AccountId", "the account the stack is deployed in")
}

// scalar resolves a property to a string ("" when absent).
func (t *template) scalar(props *syntax.Node, key string) (string, error) {
	v := props.Get(key)
	if v == nil {
		return "", nil
	}
	r, err := t.resolve(v)
	if err != nil {
		return "", err
	}
	return t.text(r), nil
}

// text returns a resolved scalar's string (a list's first element).
func (t *template) text(n *syntax.Node) string {
	switch n.Kind {
	case syntax.String, syntax.Number, syntax.Bool:
		return n.Value
	case syntax.Array:
		if len(n.Items) > 0 {
			return t.text(n.Items[0])
		}
	}
	return ""
}

// physicalName is a resource's name property, or a symbol for the name CloudFormation
// generates.
func (t *template) physicalName(logical, prop string) (string, error) {
	name, err := t.scalar(t.props(logical), prop)
	if err != nil {
		return "", err
	}
	if name == "" {
		name = t.symbol(t.stack+"#"+logical+".Name", "generated when the stack is deployed")
	}
	return name, nil
}

// ref is Ref of a resource: its physical id as CloudFormation defines it for each type.
func (t *template) ref(logical string, at *syntax.Node) (string, error) {
	switch t.typeOf(logical) {
	case "AWS::IAM::Role":
		return t.physicalName(logical, "RoleName")
	case "AWS::IAM::ManagedPolicy":
		return t.arn(logical)
	case "AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider":
		return t.arn(logical)
	case "AWS::EKS::Cluster":
		return t.physicalName(logical, "Name")
	case "Custom::AWSCDK-EKS-Cluster":
		if cfg := t.props(logical).Get("Config"); cfg != nil {
			if name, err := t.scalar(cfg, "name"); err != nil || name != "" {
				return name, err
			}
		}
		return t.symbol(t.stack+"#"+logical+".Name", "generated when the stack is deployed"), nil
	}
	return t.symbol(logical, "the physical id of a resource of the stack"), nil
}

// arn is the ARN of an IAM resource, built the way IAM builds it.
func (t *template) arn(logical string) (string, error) {
	arnPrefix := "arn:aws:iam::" + t.account() + ":"
	p := t.props(logical)
	switch t.typeOf(logical) {
	case "AWS::IAM::Role":
		name, err := t.physicalName(logical, "RoleName")
		if err != nil {
			return "", err
		}
		path, err := t.scalar(p, "Path")
		return arnPrefix + "role" + cmp.Or(path, "/") + name, err
	case "AWS::IAM::ManagedPolicy":
		name, err := t.physicalName(logical, "ManagedPolicyName")
		if err != nil {
			return "", err
		}
		path, err := t.scalar(p, "Path")
		return arnPrefix + "policy" + cmp.Or(path, "/") + name, err
	case "AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider":
		url, err := t.scalar(p, "Url")
		if err != nil {
			return "", err
		}
		if url == "" {
			url = t.symbol(logical+".Url", "known only when the stack is deployed")
		}
		return arnPrefix + "oidc-provider/" + iam.NormalizeIssuer(url), nil
	case "AWS::EKS::Cluster", "Custom::AWSCDK-EKS-Cluster":
		name, err := t.ref(logical, nil)
		return "arn:aws:eks:" + t.symbol("AWS.Region", "the region the stack is deployed in") + ":" + t.account() + ":cluster/" + name, err
	}
	return t.symbol(logical+".Arn", "known only when the stack is deployed"), nil
}

// getAtt is Fn::GetAtt of the attributes the model knows; others are symbols.
func (t *template) getAtt(logical, attr string, at *syntax.Node) (*syntax.Node, error) {
	if t.resources[logical] == nil {
		return nil, syntax.Errorf(at, "Fn::GetAtt names %q, which is not a resource of the template", logical)
	}
	str := func(s string) *syntax.Node { return leaf(at, s) }
	switch typ := t.typeOf(logical); {
	case attr == "Arn" && (typ == "AWS::IAM::Role" || typ == "AWS::EKS::Cluster" || typ == "AWS::IAM::OIDCProvider"):
		s, err := t.arn(logical)
		return str(s), err
	case typ == "AWS::IAM::ManagedPolicy" && attr == "PolicyArn":
		s, err := t.arn(logical)
		return str(s), err
	case (typ == "AWS::EKS::Cluster" || typ == "Custom::AWSCDK-EKS-Cluster") && attr == "OpenIdConnectIssuerUrl":
		return str("https://" + t.issuer(logical)), nil
	case typ == "Custom::AWSCDKCfnJson" && attr == "Value":
		// CDK writes JSON whose keys are not known at synth time as a custom resource that
		// parses its Value at deploy time: parse it here.
		key := "cfnjson:" + logical
		if t.busy[key] {
			return nil, syntax.Errorf(at, "Fn::GetAtt %s.Value refers to itself", logical)
		}
		t.busy[key] = true
		defer delete(t.busy, key)
		v := t.props(logical).Get("Value")
		if v == nil {
			return nil, syntax.Errorf(at, "%s has no Value", logical)
		}
		r, err := t.resolve(v)
		if err != nil {
			return nil, err
		}
		if r.Kind != syntax.String {
			return r, nil
		}
		parsed, err := syntax.ParseJSON([]byte(r.Value))
		if err != nil {
			return nil, &syntax.Error{Line: v.Line, Column: v.Column, Msg: fmt.Sprintf("Value of %s is not JSON: %v", logical, err)}
		}
		// The JSON is used where the Fn::GetAtt is: that is where it is reported.
		return place(parsed, at), nil
	}
	return str(t.symbol(logical+"."+attr, "known only when the stack is deployed")), nil
}

// issuer is the symbol of an EKS cluster's issuer (without https://).
func (t *template) issuer(logical string) string {
	return t.symbol(t.stack+"#"+logical+".OpenIdConnectIssuer", "known only when the stack is deployed")
}

// leaf is a string node at a node's position.
func leaf(at *syntax.Node, s string) *syntax.Node {
	return &syntax.Node{Kind: syntax.String, Value: s, Line: at.Line, Column: at.Column, EndLine: at.EndLine}
}

// place puts every node of a tree parsed from a string at the string's position: its text is
// nowhere in the file.
func place(n, at *syntax.Node) *syntax.Node {
	n.Line, n.Column, n.EndLine = at.Line, at.Column, at.EndLine
	for _, it := range n.Items {
		place(it, at)
	}
	for i := range n.Fields {
		if n.Fields[i].KeyNode != nil {
			place(n.Fields[i].KeyNode, at)
		}
		place(n.Fields[i].Value, at)
	}
	return n
}
