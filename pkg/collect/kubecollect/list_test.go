package kubecollect

import (
	"context"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// pagedServiceAccounts serves ServiceAccount lists in pages of two, and answers a request
// whose continue token is in expire with HTTP 410 Expired, as the API server does once it has
// compacted the revision a paged list began at. It records every request's limit and token.
type pagedServiceAccounts struct {
	names    []string
	expire   map[string]bool
	requests []metav1.ListOptions
}

func (p *pagedServiceAccounts) react(a k8stesting.Action) (bool, runtime.Object, error) {
	o := a.(k8stesting.ListActionImpl).ListOptions
	p.requests = append(p.requests, o)
	if p.expire[o.Continue] {
		delete(p.expire, o.Continue) // a token expires once: the list is started again
		return true, nil, apierrors.NewResourceExpired("too old resource version")
	}
	from := 0
	if o.Continue != "" {
		from = int(o.Continue[0] - '0')
	}
	to := len(p.names)
	list := &corev1.ServiceAccountList{}
	if o.Limit > 0 && from+int(o.Limit) < to {
		to = from + int(o.Limit)
		list.Continue = string(rune('0' + to))
	}
	for _, n := range p.names[from:to] {
		list.Items = append(list.Items, corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: n}})
	}
	return true, list, nil
}

// TestListAllExpiredContinue: a list whose continue token expires is read again from the first
// page, then in one unpaged list when that expires too; no ServiceAccount is lost or doubled,
// and the inventory note says what happened.
func TestListAllExpiredContinue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expire []string
		// limits are the limits of the requests made, in order; 0 is an unpaged list.
		limits []int64
		note   string
	}{
		{name: "no expiry", limits: []int64{2, 2, 2}},
		{name: "expires once", expire: []string{"4"}, limits: []int64{2, 2, 2, 2, 2, 2}, note: "listed again from the first page"},
		{name: "expires twice", expire: []string{"2", "4"}, limits: []int64{2, 2, 2, 2, 2, 0}, note: "listed again in one unpaged list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := &pagedServiceAccounts{names: []string{"a", "b", "c", "d", "e"}, expire: map[string]bool{}}
			for _, tok := range tc.expire {
				srv.expire[tok] = true
			}
			cs := fake.NewClientset()
			cs.PrependReactor("list", "serviceaccounts", srv.react)
			res := &clusterResult{context: "test", calls: map[string]int{}, complete: map[string]bool{}}
			l := &lister{cs: cs, opts: Options{PageSize: 2}, res: res}
			l.collect(context.Background(), resources()[0])

			var names []string
			for _, sa := range res.sas {
				names = append(names, sa.Name)
			}
			if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(names, want) {
				t.Errorf("ServiceAccounts %v, want %v", names, want)
			}
			if !res.complete["serviceaccounts"] || len(res.errs) != 0 {
				t.Errorf("complete %v, errors %v: want a complete list without errors", res.complete["serviceaccounts"], res.errs)
			}
			var limits []int64
			for _, o := range srv.requests {
				limits = append(limits, o.Limit)
			}
			if !slices.Equal(limits, tc.limits) {
				t.Errorf("request limits %v, want %v", limits, tc.limits)
			}
			if got := res.calls["kubernetes:list serviceaccounts"]; got != len(tc.limits) {
				t.Errorf("%d calls counted, want %d", got, len(tc.limits))
			}
			notes := strings.Join(res.cluster.Inventory.Notes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one saying %q", notes, tc.note)
			}
		})
	}
}

// TestListAllOtherErrors: an error other than an expired token, or an expiry of the first page
// (which has no token to renew), fails the list as before.
func TestListAllOtherErrors(t *testing.T) {
	for name, err := range map[string]error{
		"expired first page": apierrors.NewResourceExpired("too old resource version"),
		"internal error":     apierrors.NewInternalError(context.DeadlineExceeded),
	} {
		t.Run(name, func(t *testing.T) {
			cs := fake.NewClientset()
			calls := 0
			cs.PrependReactor("list", "serviceaccounts", func(k8stesting.Action) (bool, runtime.Object, error) {
				calls++
				return true, nil, err
			})
			res := &clusterResult{context: "test", calls: map[string]int{}, complete: map[string]bool{}}
			l := &lister{cs: cs, opts: Options{PageSize: 2}, res: res}
			l.collect(context.Background(), resources()[0])
			if calls != 1 || res.complete["serviceaccounts"] || len(res.errs) != 1 {
				t.Errorf("%d calls, complete %v, errors %v: want one failed call", calls, res.complete["serviceaccounts"], res.errs)
			}
		})
	}
}

// TestListAllRepeatedContinue: a server that answers a page with a continue token it gave
// before was followed for ever, holding every page in memory. The list stops with an error and
// the inventory is not complete. (Proven against a real API server in TestRepeatedContinue.)
func TestListAllRepeatedContinue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tokens map[string]string // continue asked -> continue answered
	}{
		{"same token", map[string]string{"": "t1", "t1": "t2", "t2": "t2"}},
		{"cycle of two", map[string]string{"": "t1", "t1": "t2", "t2": "t1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			calls := 0
			cs.PrependReactor("list", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
				calls++
				o := a.(k8stesting.ListActionImpl).ListOptions
				return true, &corev1.ServiceAccountList{ListMeta: metav1.ListMeta{Continue: tc.tokens[o.Continue]},
					Items: []corev1.ServiceAccount{{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "sa-" + o.Continue}}}}, nil
			})
			res := &clusterResult{context: "test", calls: map[string]int{}, complete: map[string]bool{}}
			l := &lister{cs: cs, opts: Options{PageSize: 2}, res: res}
			l.collect(context.Background(), resources()[0])
			if calls > 4 || res.complete["serviceaccounts"] || len(res.errs) != 1 || !strings.Contains(res.errs[0].Message, "repeated a continue token") {
				t.Errorf("%d calls, complete %v, errors %v: want the list stopped with an error", calls, res.complete["serviceaccounts"], res.errs)
			}
			if notes := strings.Join(res.cluster.Inventory.Notes, "\n"); !strings.Contains(notes, "serviceaccounts: not listed: repeated continue token") {
				t.Errorf("notes %q", notes)
			}
		})
	}
}
