package syntax

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// taken records what ParseJSONTaking offered: the key and the dump of each element, taken until
// the element for which keep is true.
type taken struct {
	offers []string
	keep   func(n *Node) bool
}

func (tk *taken) take(key string, n *Node) bool {
	tk.offers = append(tk.offers, key+": "+dump(n))
	return !tk.keep(n)
}

func TestParseJSONTaking(t *testing.T) {
	in := "{\"kind\": \"List\",\n" +
		" \"items\": [{\"a\": 1}, {\"b\": [2, 3]},\n  {\"keep\": true}, {\"c\": 4}],\n" +
		" \"other\": [[{\"x\": 1}]],\n" +
		" \"obj\": {\"items\": [1, 2]}}\n"
	tk := &taken{keep: func(n *Node) bool { return n.Field("keep") != nil }}
	n, err := ParseJSONTaking([]byte(in), tk.take)
	if err != nil {
		t.Fatal(err)
	}
	wantOffers := []string{
		"items: object 2:12-2\n  \"a\"@2:13: number 2:18-2 \"1\"\n",
		"items: object 2:22-2\n  \"b\"@2:23: array 2:28-2\n    - number 2:29-2 \"2\"\n    - number 2:32-2 \"3\"\n",
		"items: object 3:3-3\n  \"keep\"@3:4: boolean 3:12-3 \"true\"\n",
		// the element after the one kept is not offered; nor are the items of "obj" (not an
		// array of the root)
		"other: array 4:12-4\n  - object 4:13-4\n    \"x\"@4:14: number 4:19-4 \"1\"\n",
	}
	if diff := cmp.Diff(wantOffers, tk.offers); diff != "" {
		t.Errorf("offers (-want +got):\n%s", diff)
	}
	want := "object 1:1-5\n" +
		"  \"kind\"@1:2: string 1:10-1 \"List\"\n" +
		"  \"items\"@2:2: array 2:11-3\n" +
		"    - object 3:3-3\n      \"keep\"@3:4: boolean 3:12-3 \"true\"\n" +
		"    - object 3:19-3\n      \"c\"@3:20: number 3:25-3 \"4\"\n" +
		"  \"other\"@4:2: array 4:11-4\n" +
		"  \"obj\"@5:2: object 5:9-5\n" +
		"    \"items\"@5:10: array 5:19-5\n      - number 5:20-5 \"1\"\n      - number 5:23-5 \"2\"\n"
	if diff := cmp.Diff(want, dump(n)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestParseJSONTakingRootArray(t *testing.T) {
	tk := &taken{keep: func(*Node) bool { return false }}
	n, err := ParseJSONTaking([]byte(`[[1], {"items": [2]}]`), tk.take)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.offers) != 0 {
		t.Errorf("offered %q from a root array", tk.offers)
	}
	if want := "array 1:1-1\n  - array 1:2-1\n    - number 1:3-1 \"1\"\n  - object 1:7-1\n    \"items\"@1:8: array 1:17-1\n      - number 1:18-1 \"2\"\n"; dump(n) != want {
		t.Errorf("tree:\n%s\nwant:\n%s", dump(n), want)
	}
}

// TestParseJSONTakingReuse takes 1,500 items of 2,000 (each about 20 nodes, so the taken items
// are parsed into reused slab space, and some cross a slab boundary) and checks that the items
// offered and those kept are exactly what ParseJSON sees.
func TestParseJSONTakingReuse(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"items": [`)
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"i": %d, "name": "n%d", "tags": ["a%d", "b", {"k": [%d, true, null]}], "meta": {"x": {"y": "%d"}}}`, i, i, i, i, i)
	}
	b.WriteString("]}")
	data := []byte(b.String())
	whole, err := ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	items := whole.Get("items").Items
	count := 0
	tk := &taken{keep: func(*Node) bool { count++; return count > 1500 }}
	n, err := ParseJSONTaking(data, tk.take)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.offers) != 1501 {
		t.Fatalf("%d offers, want 1501", len(tk.offers))
	}
	for i, o := range tk.offers {
		if want := "items: " + dump(items[i]); o != want {
			t.Fatalf("offer %d:\n%s\nwant:\n%s", i, o, want)
		}
	}
	kept := n.Get("items").Items
	if len(kept) != 500 {
		t.Fatalf("%d items kept, want 500", len(kept))
	}
	for i, k := range kept {
		if got, want := dump(k), dump(items[1500+i]); got != want {
			t.Fatalf("kept item %d:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

// FuzzParseJSONTaking holds ParseJSONTaking to ParseJSON: the same error, and a tree that, with
// the elements offered and taken put back in front of each array, is ParseJSON's.
func FuzzParseJSONTaking(f *testing.F) {
	for _, s := range []string{
		`{"items": [{"a": 1}, {"b": [2]}, 3], "x": [[1, 2], {}]}`,
		`{"items": [1, 2, 3], "items": []}`,
		`{"items": [{"a": 1}, {"b": [2]}, `,
		`[{"items": [1]}]`,
		`{"a": {"items": [1, 2]}, "RoleDetailList": [{"Arn": "x"}, {"Arn": "y"}]}`,
	} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, every uint8) {
		want, wantErr := ParseJSON(data)
		// keep an element when a counter hits a multiple of every (0: take them all)
		count := 0
		taken := map[string][]string{}
		got, err := ParseJSONTaking(data, func(key string, n *Node) bool {
			count++
			if every != 0 && count%int(every) == 0 {
				return false
			}
			taken[key] = append(taken[key], dump(n))
			return true
		})
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v, ParseJSON's %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if want.Kind != Object {
			if len(taken) > 0 || dump(got) != dump(want) {
				t.Fatalf("root %s: offered %v or tree differs", want.Kind, taken)
			}
			return
		}
		for i, f := range want.Fields {
			g := got.Fields[i]
			if f.Value.Kind != Array {
				if dump(g.Value) != dump(f.Value) {
					t.Fatalf("member %q differs", f.Key)
				}
				continue
			}
			var items []string
			items = append(items, taken[f.Key]...)
			for _, it := range g.Value.Items {
				items = append(items, dump(it))
			}
			var wantItems []string
			for _, it := range f.Value.Items {
				wantItems = append(wantItems, dump(it))
			}
			if diff := cmp.Diff(wantItems, items); diff != "" {
				t.Fatalf("member %q (-want +got):\n%s", f.Key, diff)
			}
		}
		if len(got.Fields) != len(want.Fields) {
			t.Fatalf("%d members, want %d", len(got.Fields), len(want.Fields))
		}
	})
}
