package load

import (
	"fmt"
	"io"

	"github.com/irsa-audit/irsa-audit/pkg/load/cloudformation"
	"github.com/irsa-audit/irsa-audit/pkg/load/eksctl"
	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

// The Source.Format of CloudFormation (and SAM, CDK synth) templates and eksctl ClusterConfig
// files.
const (
	FormatCloudFormation = "cloudformation"
	FormatEksctl         = "eksctl-cluster-config"
)

func addItems(r *fileResult, s *snapshot.Snapshot) {
	it := &r.items
	it.Roles = append(it.Roles, s.Roles...)
	it.ManagedPolicies = append(it.ManagedPolicies, s.ManagedPolicies...)
	it.Policies = append(it.Policies, s.Policies...)
	it.OIDCProviders = append(it.OIDCProviders, s.OIDCProviders...)
	it.Clusters = append(it.Clusters, s.Clusters...)
	it.ServiceAccounts = append(it.ServiceAccounts, s.ServiceAccounts...)
	it.PodIdentityAssociations = append(it.PodIdentityAssociations, s.PodIdentityAssociations...)
	it.NotJudged = append(it.NotJudged, s.NotJudged...)
}

func loadCloudFormation(d document, r *fileResult) error {
	res, err := cloudformation.Load(d.node, d.file, d.cfnParams)
	if err != nil {
		return err
	}
	addItems(r, &res.Items)
	if len(res.Items.Roles)+len(res.Items.ManagedPolicies)+len(res.Items.Policies)+len(res.Items.OIDCProviders)+
		len(res.Items.Clusters)+len(res.Items.ServiceAccounts)+len(res.Items.PodIdentityAssociations) == 0 {
		r.skipped = append(r.skipped, snapshot.Skipped{File: d.file, Reason: "CloudFormation template with no IAM role, policy, OIDC provider or EKS resource"})
	}
	return nil
}

func loadEksctl(d document, r *fileResult) error {
	s, err := eksctl.Load(d.node, d.file)
	if err != nil {
		return err
	}
	addItems(r, s)
	return nil
}

// readCFNParameters reads the --cfn-parameters files: the CLI's
// [{"ParameterKey": ..., "ParameterValue": ...}] list, or {"Parameters": {"Key": "Value"}}
// (a CodePipeline template configuration), in JSON or YAML. Later files win.
func (l *loader) readCFNParameters() {
	for _, p := range l.opts.CFNParameterFiles {
		name := displayName(p)
		params, err := l.cfnParameterFile(p)
		if err != nil {
			ie := snapshot.InputError{File: name, Message: "--cfn-parameters: " + err.Error()}
			if se, ok := err.(*syntax.Error); ok {
				ie.Line, ie.Column, ie.Message = se.Line, se.Column, "--cfn-parameters: "+se.Msg
			}
			l.pre(name, &fileResult{errors: []snapshot.InputError{ie}})
			continue
		}
		if l.iac.cfnParams == nil {
			l.iac.cfnParams = map[string]string{}
		}
		for k, v := range params {
			l.iac.cfnParams[k] = v
		}
	}
}

func (l *loader) cfnParameterFile(p string) (map[string]string, error) {
	f, err := l.fs.Open(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, l.opts.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if int64(len(data)) > l.opts.MaxFileSize {
		return nil, fmt.Errorf("file is over the %d-byte size limit", l.opts.MaxFileSize)
	}
	docs, err := parse(data, nil)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("want one JSON or YAML document, found %d", len(docs))
	}
	n := docs[0]
	out := map[string]string{}
	scalar := func(v *syntax.Node) (string, error) {
		if v == nil || v.Kind == syntax.Object || v.Kind == syntax.Array || v.Kind == syntax.Null {
			return "", syntax.Errorf(v, "parameter values must be strings")
		}
		return v.Value, nil
	}
	switch {
	case n.Kind == syntax.Array:
		for _, it := range n.Items {
			k, v := it.Get("ParameterKey"), it.Get("ParameterValue")
			if k == nil || k.Kind != syntax.String {
				return nil, syntax.Errorf(it, "want {\"ParameterKey\": ..., \"ParameterValue\": ...}")
			}
			if uv := it.Get("UsePreviousValue"); uv != nil && v == nil {
				continue
			}
			s, err := scalar(v)
			if err != nil {
				return nil, err
			}
			out[k.Value] = s
		}
	case n.Kind == syntax.Object && n.Get("Parameters") != nil && n.Get("Parameters").Kind == syntax.Object:
		for _, f := range n.Get("Parameters").Fields {
			s, err := scalar(f.Value)
			if err != nil {
				return nil, err
			}
			out[f.Key] = s
		}
	default:
		return nil, syntax.Errorf(n, "want a list of {\"ParameterKey\", \"ParameterValue\"} or {\"Parameters\": {...}}")
	}
	return out, nil
}
