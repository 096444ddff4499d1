// Package load turns files into a snapshot: IAM policy documents (JSON), Kubernetes manifests
// and kubectl exports (YAML or JSON), AWS CLI exports (get-account-authorization-details,
// list-open-id-connect-providers, get-open-id-connect-provider, eks describe-cluster, eks
// list-clusters), saved snapshots, Terraform plans, CloudFormation/SAM/CDK templates and eksctl
// ClusterConfig files, recognised by content, never by file name; and Terraform configurations,
// recognised by their .tf extension: a folder of .tf files is one module, and the root modules
// of a scan are evaluated (terraform.go, and the readers in the terraform, cloudformation and
// eksctl packages below this one; docs/inputs.md says what each evaluates).
//
// After every input is read, a resolve step works over all of them: exports that do not name their
// account or cluster (an empty provider list, get-open-id-connect-provider, list-clusters, kubectl
// exports) are tied to the account or cluster named in the same or the nearest enclosing folder
// (a folder per cluster), else, for accounts only, to the only one of the scan (ServiceAccounts
// and workloads are tied to a cluster by folder only); accounts, clusters and providers of the
// same identity are merged; and each account's and cluster's inventory says what is complete, with
// notes for what is not. The conventions are documented in docs/snapshot-format.md.
//
// Inputs are files, directories (walked recursively in sorted order) and "-" for standard input.
// Load returns an error only when it cannot go on (the context was cancelled); every problem with
// one input is recorded in the snapshot and the other inputs still load:
//
//   - snap.Sources lists every input that was read, with the format it was recognised as:
//     "iam-policy", "kubernetes-manifest", the Format* constants of the exports (joined with "+"
//     when a file mixes them), or, for files
//     that yield nothing, "unrelated", "template", "binary", "empty" or "invalid".
//     snap.Stats.Files counts them (standard input included).
//   - snap.Errors gets inputs that were recognised but are malformed, with file, line and
//     column: a policy, manifest or export that does not parse (or that holds a NUL byte or
//     invalid UTF-8), or whose content is wrong. A named path that does not exist, an unreadable
//     file or directory, and a dangling symlink are errors too.
//   - snap.Skipped gets inputs, and parts of inputs, passed over on purpose, whether named on the
//     command line (Named) or found by a walk: data that is not recognised (empty, binary, not
//     JSON or YAML, JSON or YAML of another kind, Kubernetes objects of kinds IRSA does not
//     involve), Go templates such as Helm charts, eksctl ClusterConfigs (not read yet), files over
//     the size limit that are not exports, snapshots or manifests, special files (fifos,
//     devices) found by a walk, symlinks to a directory that was already walked (which is also
//     how symlink loops end), and, inside recognised inputs, the statements, ServiceAccounts and
//     workloads that hold a template placeholder (placeholders.go) and the pages missing after a
//     truncated export. Needed marks those that hold what the rules judge.
//
// The size limit (Options.MaxFileSize) applies to inputs that are not recognised from their first
// 64 KiB as an AWS CLI or kubectl export, a Kubernetes manifest or a saved snapshot: those are
// read whatever their size, snapshots decoded straight into the model. Reads check the context
// between chunks, and a read blocked on a fifo or a terminal is abandoned when it ends.
//
// Directory walks do not enter .git, node_modules or vendor. Symlinks to files and directories
// are followed. Paths are reported with "/" separators, relative when given relative.
//
// Kubernetes objects: a missing metadata.namespace is "default" (what kubectl applies without
// --namespace); a missing metadata.name falls back to metadata.generateName. Lists (kind List or
// any kind ending in "List" with items) are unpacked. ServiceAccounts become
// snap.ServiceAccounts; Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
// CronJobs become snap.Workloads; other kinds are accepted and ignored.
//
// New input formats are added as recognisers (see recognisers in recognise.go): a function that
// says whether a parsed document is of the format, and one that loads it.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/irsa-audit/irsa-audit/pkg/snapshot"
)

// DefaultMaxFileSize is the size limit used when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 10 << 20

// Options configure Load.
type Options struct {
	// MaxFileSize is the largest input read, in bytes, unless it is an AWS CLI or kubectl export,
	// a Kubernetes manifest or a saved snapshot (those are read whatever their size);
	// DefaultMaxFileSize when 0.
	MaxFileSize int64
	// Stdin is read for the path "-".
	Stdin io.Reader
	// StdinName is the name standard input gets in locations; "-" when empty.
	StdinName string
	// TFVarFiles are Terraform variable files (--tf-vars), read for every root module.
	TFVarFiles []string
	// CFNParameterFiles are CloudFormation parameter files (--cfn-parameters), read for every
	// template.
	CFNParameterFiles []string
}

// Load reads paths into a snapshot. The error is non-nil only when the context is cancelled;
// problems with individual inputs are recorded in the snapshot (see the package doc). The
// snapshot is folded (snapshot.Fold): what several inputs say about one entity is one entry, so
// snapshot.Merge of it alone changes nothing but empty lists to nil (TestLoadIsFolded).
func Load(ctx context.Context, paths []string, opts Options) (*snapshot.Snapshot, error) {
	return load(ctx, paths, opts, osFS{})
}

// fileSystem is what Load needs from the operating system; tests substitute failures.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	EvalSymlinks(name string) (string, error)
	Open(name string) (io.ReadCloser, error)
}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFS) EvalSymlinks(name string) (string, error)   { return filepath.EvalSymlinks(name) }
func (osFS) Open(name string) (io.ReadCloser, error)    { return os.Open(name) }

// slot is one input in output order: a file to read, or a result already known from the walk.
type slot struct {
	path     string // OS path to read
	name     string // name for locations ("/" separators, or the stdin name)
	explicit bool   // named on the command line
	stdin    bool
	size     int64 // from the walk; -1 when unknown
	result   *fileResult
	// tfDir is set for a Terraform module folder: read as one input (terraform.go).
	tfDir string
}

type loader struct {
	ctx     context.Context
	fs      fileSystem
	opts    Options
	slots   []*slot
	seen    map[string]bool // cleaned file paths already queued
	visited map[string]bool // real paths of directories already walked
	// named are the cleaned paths named on the command line: a file both named and met in a
	// walk is treated as named, whichever comes first.
	named map[string]bool
	iac   iacState
}

func load(ctx context.Context, paths []string, opts Options, fsys fileSystem) (*snapshot.Snapshot, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.StdinName == "" {
		opts.StdinName = "-"
	}
	l := &loader{ctx: ctx, fs: fsys, opts: opts, seen: map[string]bool{}, visited: map[string]bool{}, named: map[string]bool{}}
	for _, p := range paths {
		l.named[filepath.Clean(p)] = true
	}
	l.readCFNParameters()
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.addPath(p)
	}
	if err := l.readAll(); err != nil {
		return nil, err
	}
	if err := l.terraform(); err != nil {
		return nil, err
	}
	results := make([]*fileResult, len(l.slots))
	for i, s := range l.slots {
		results[i] = s.result
	}
	linkPlans(results)
	return resolve(results), nil
}

func displayName(p string) string { return filepath.ToSlash(p) }

func (l *loader) pre(name string, r *fileResult) {
	l.slots = append(l.slots, &slot{name: name, result: r})
}

func (l *loader) addPath(p string) {
	if p == "-" {
		if l.seen["-"] {
			return
		}
		l.seen["-"] = true
		l.slots = append(l.slots, &slot{name: l.opts.StdinName, explicit: true, stdin: true, size: -1})
		return
	}
	name := displayName(p)
	fi, err := l.fs.Stat(p)
	if err != nil {
		msg := fmt.Sprintf("cannot read: %v", unwrapPathError(err))
		if errors.Is(err, fs.ErrNotExist) {
			msg = "no such file or directory"
		}
		l.pre(name, errorResult(name, msg))
		return
	}
	if fi.IsDir() {
		l.walk(p, "")
		return
	}
	l.addFile(p, fi, true)
}

func (l *loader) addFile(p string, fi fs.FileInfo, explicit bool) {
	key := filepath.Clean(p)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	explicit = explicit || l.named[key]
	name := displayName(p)
	if l.terraformFile(p, name, explicit) {
		return
	}
	if !explicit && !fi.Mode().IsRegular() {
		// Opening a fifo found by a walk could block forever; named ones are read (process
		// substitution, /dev/stdin).
		l.pre(name, skipResult(name, fmt.Sprintf("not a regular file (%s)", fi.Mode().Type())))
		return
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	l.slots = append(l.slots, &slot{path: p, name: name, explicit: explicit, size: size})
}

// tooLarge skips an input over the size limit whose beginning is not that of an export, a
// snapshot or a manifest (those are read whatever their size).
func tooLarge(name string, size, limit int64, explicit bool) *fileResult {
	msg := fmt.Sprintf("larger than the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", limit)
	if size >= 0 {
		msg = fmt.Sprintf("file is %d bytes, over the %d-byte size limit (--max-file-size), and not an AWS CLI or kubectl export, a Kubernetes manifest or a snapshot", size, limit)
	}
	r := skipResult(name, msg)
	r.skipped[0].Named = explicit
	return r
}

// skipDirs are directory names a walk does not enter.
func skipDir(name string) bool {
	return name == ".git" || name == "node_modules" || name == "vendor" || name == ".terraform"
}

// walk adds the files under dir; via is the symlink that led here ("" when none).
func (l *loader) walk(dir, via string) {
	if err := l.ctx.Err(); err != nil {
		return
	}
	name := displayName(dir)
	real, err := l.fs.EvalSymlinks(dir)
	if err != nil {
		l.pre(name, errorResult(name, fmt.Sprintf("cannot resolve directory: %v", unwrapPathError(err))))
		return
	}
	if l.visited[real] {
		if via != "" {
			l.pre(name, skipResult(name, "symlink to a directory that was already walked (a loop or a duplicate)"))
		}
		return
	}
	l.visited[real] = true
	entries, err := l.fs.ReadDir(dir)
	if err != nil {
		l.pre(name, errorResult(name, fmt.Sprintf("cannot read directory: %v", unwrapPathError(err))))
		// ReadDir returns the entries it could read before the error; go on with them.
	}
	for _, e := range entries {
		child := filepath.Join(dir, e.Name())
		mode := e.Type()
		var fi fs.FileInfo
		if mode&fs.ModeSymlink != 0 {
			fi, err = l.fs.Stat(child)
			if err != nil {
				cn := displayName(child)
				l.pre(cn, errorResult(cn, fmt.Sprintf("dangling symlink: %v", unwrapPathError(err))))
				continue
			}
			if fi.IsDir() {
				if !skipDir(e.Name()) {
					l.walk(child, child)
				}
				continue
			}
		} else if mode.IsDir() {
			if !skipDir(e.Name()) {
				l.walk(child, "")
			}
			continue
		} else {
			fi, err = e.Info()
			if err != nil {
				cn := displayName(child)
				l.pre(cn, errorResult(cn, fmt.Sprintf("cannot read: %v", unwrapPathError(err))))
				continue
			}
		}
		l.addFile(child, fi, false)
	}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readAll reads and recognises the queued files on GOMAXPROCS workers; results stay in slot
// order.
func (l *loader) readAll() error {
	var todo []*slot
	for _, s := range l.slots {
		if s.result == nil {
			todo = append(todo, s)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	next := make(chan *slot)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				s.result = l.readSlot(s)
			}
		}()
	}
	var err error
	for _, s := range todo {
		if err = l.ctx.Err(); err != nil {
			break
		}
		next <- s
	}
	close(next)
	wg.Wait()
	if err == nil {
		err = l.ctx.Err()
	}
	return err
}
