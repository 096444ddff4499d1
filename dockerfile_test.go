package irsaaudit_test

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// dockerInstruction is one instruction of a Dockerfile, continuation lines joined.
type dockerInstruction struct {
	cmd, args string
}

func parseDockerfile(t *testing.T, path string) []dockerInstruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstruction
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDockerfile checks the container image's recipe without a container engine (this machine
// has none): two stages, a distroless static nonroot base, no RUN (no shell) in the final stage,
// an exec-form entrypoint, the Go version of go.mod, .git kept out of the build context; then
// it runs the build stage's own go build command (its ARG defaults, this machine's
// architecture) and checks the binary is static and reports the VERSION build argument.
func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, "Dockerfile")
	args := map[string]string{}
	var stages [][]dockerInstruction
	for _, in := range ins {
		switch in.cmd {
		case "FROM":
			stages = append(stages, nil)
		case "ARG":
			name, val, _ := strings.Cut(in.args, "=")
			args[name] = val
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want 2 (build, runtime)", len(stages))
	}
	build, final := stages[0], stages[1]
	if !strings.Contains(build[0].args, "golang:${GO_VERSION}") || !strings.HasSuffix(build[0].args, "AS build") {
		t.Errorf("build stage: FROM %s", build[0].args)
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(gomod))
	if goVersion == nil || args["GO_VERSION"] != goVersion[1] {
		t.Errorf("ARG GO_VERSION=%s, go.mod says go %v", args["GO_VERSION"], goVersion)
	}
	if final[0].args != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage: FROM %s, want gcr.io/distroless/static-debian12:nonroot", final[0].args)
	}
	var user, entrypoint string
	for _, in := range final {
		switch in.cmd {
		case "RUN":
			t.Errorf("final stage has RUN %s: the image has no shell", in.args)
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "COPY":
			if strings.HasPrefix(in.args, "--from=build") && !strings.HasSuffix(in.args, " /irsa-audit") {
				t.Errorf("COPY %s", in.args)
			}
		}
	}
	if user != "nonroot:nonroot" && user != "65532:65532" {
		t.Errorf("USER %q, want nonroot", user)
	}
	if entrypoint != `["/irsa-audit"]` {
		t.Errorf("ENTRYPOINT %s, want the exec form [\"/irsa-audit\"]", entrypoint)
	}
	ignore, err := os.ReadFile(".dockerignore")
	if err != nil || !regexp.MustCompile(`(?m)^\.git$`).Match(ignore) {
		t.Errorf(".dockerignore does not keep .git out of the build context: %v", err)
	}

	var goBuild string
	for _, in := range build {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=${VERSION}", "./cmd/irsa-audit"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("build command lacks %s: %s", want, goBuild)
		}
	}
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	out := filepath.Join(t.TempDir(), "irsa-audit")
	cmdline := strings.NewReplacer(
		"${TARGETOS}", "linux", "${TARGETARCH}", runtime.GOARCH, "${VERSION}", "v9.9.9-dockerfile-test",
		"/out/irsa-audit", out,
	).Replace(goBuild)
	cmd := exec.Command("sh", "-c", cmdline)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, b)
	}
	bin, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is not static")
		}
	}
	if libs, _ := bin.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	if runtime.GOOS == "linux" {
		v, err := exec.Command(out, "version").Output()
		if err != nil || strings.TrimSpace(string(v)) != "irsa-audit v9.9.9-dockerfile-test" {
			t.Errorf("version: %q, %v", v, err)
		}
	}
}
