package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
	"github.com/irsa-audit/irsa-audit/pkg/syntax"
)

func registerSaveSnapshot(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "save-snapshot", "", "with --aws/--kube: also write what was collected to `FILE` (as collect -o does), and locate the findings in it")
}

// saveSnapshot writes the live snapshot to name (as collect -o writes it) and returns it with
// every item located in that file: each object that has a "loc" naming only an API call gets
// the file and the lines of that object, keeping the API. Findings about live resources then
// point at lines of a file, which code scanning services need to show them.
func saveSnapshot(ctx context.Context, name string, snap *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	if name == "-" {
		return nil, usageError{fmt.Errorf("--save-snapshot needs a file name")}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(snap); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	data := buf.Bytes()
	if err := writeOutput(ctx, name, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return nil, err
	}
	tree, err := syntax.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("read back snapshot: %w", err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read back snapshot: %w", err)
	}
	locate(tree, doc, filepath.ToSlash(name))
	relocated, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("locate snapshot: %w", err)
	}
	var out snapshot.Snapshot
	if err := json.Unmarshal(relocated, &out); err != nil {
		return nil, fmt.Errorf("locate snapshot: %w", err)
	}
	return &out, nil
}

// locate walks the position tree and the decoded document of the same JSON together.
func locate(n *syntax.Node, v any, file string) {
	switch n.Kind {
	case syntax.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if loc, ok := m["loc"].(map[string]any); ok {
			if _, hasFile := loc["file"]; !hasFile {
				loc["file"], loc["start_line"], loc["end_line"] = file, n.Line, n.EndLine
			}
		}
		for _, f := range n.Fields {
			if f.Key != "loc" {
				locate(f.Value, m[f.Key], file)
			}
		}
	case syntax.Array:
		a, ok := v.([]any)
		if !ok {
			return
		}
		for i, it := range n.Items {
			if i < len(a) {
				locate(it, a[i], file)
			}
		}
	}
}
