package main

import (
	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/load"
)

// iacFlags are the inputs of infrastructure-as-code readers that are not files to scan.
type iacFlags struct {
	tfVars    []string
	cfnParams []string
}

func (f *iacFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.tfVars, "tf-vars", nil, "Terraform variables `FILE` for every root module, as terraform -var-file (repeatable; later files win)")
	cmd.Flags().StringArrayVar(&f.cfnParams, "cfn-parameters", nil, "CloudFormation parameters `FILE` for every template: the CLI's [{ParameterKey, ParameterValue}] or {\"Parameters\": {...}} (repeatable)")
}

func (f *iacFlags) apply(o *load.Options) {
	o.TFVarFiles = f.tfVars
	o.CFNParameterFiles = f.cfnParams
}
