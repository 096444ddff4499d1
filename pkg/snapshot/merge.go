package snapshot

// Merge returns one snapshot holding everything in the given ones, in order: the lists are
// concatenated, API call counts added, file counts added. The newest GeneratedAt wins. Nothing is
// de-duplicated: two inputs that describe the same role are both kept, so no input is lost.
func Merge(snaps ...*Snapshot) *Snapshot {
	out := &Snapshot{Version: Version}
	for _, s := range snaps {
		if s == nil {
			continue
		}
		if s.GeneratedAt > out.GeneratedAt {
			out.GeneratedAt = s.GeneratedAt
		}
		out.Sources = append(out.Sources, s.Sources...)
		out.Accounts = append(out.Accounts, s.Accounts...)
		out.OIDCProviders = append(out.OIDCProviders, s.OIDCProviders...)
		out.Clusters = append(out.Clusters, s.Clusters...)
		out.Roles = append(out.Roles, s.Roles...)
		out.ManagedPolicies = append(out.ManagedPolicies, s.ManagedPolicies...)
		out.Policies = append(out.Policies, s.Policies...)
		out.ServiceAccounts = append(out.ServiceAccounts, s.ServiceAccounts...)
		out.Workloads = append(out.Workloads, s.Workloads...)
		out.PodIdentityAssociations = append(out.PodIdentityAssociations, s.PodIdentityAssociations...)
		out.Errors = append(out.Errors, s.Errors...)
		out.Skipped = append(out.Skipped, s.Skipped...)
		out.Stats.Files += s.Stats.Files
		for op, n := range s.Stats.APICalls {
			if out.Stats.APICalls == nil {
				out.Stats.APICalls = map[string]int{}
			}
			out.Stats.APICalls[op] += n
		}
	}
	return out
}
