# METADATA
# title: Federated trust without conditions
# description: A web-identity trust statement without conditions trusts every token of the provider.
# related_resources:
#   - ref: https://example.com/docs/IRSA-902
#     description: documentation
# custom:
#   id: IRSA-902
#   severity: medium
#   recommended_action: Add sub and aud conditions.
#   bad_example: '{"Effect": "Allow", "Principal": {"Federated": "..."}}'
#   good_example: '{"Effect": "Allow", "Principal": {"Federated": "..."}, "Condition": {...}}'
package irsa_audit.rules.trust.no_condition

import data.irsa_audit.lib.test

deny contains finding if {
	some ts in test.trust_statements
	count(object.get(ts.statement, ["principal", "federated"], [])) > 0
	count(object.get(ts.statement, "conditions", [])) == 0
	finding := {
		"msg": "the statement trusts a federated principal without any condition",
		"resource": ts.resource,
		"path": ts.path,
	}
}
