# syntax=docker/dockerfile:1
# The irsa-audit container image: a static binary on distroless, running as the nonroot user,
# with no shell. Build it from a clone (the version comes in as a build argument, since .git is
# not copied into the build):
#
#   docker build --build-arg VERSION="$(bash scripts/version.sh)" -t irsa-audit .
#   docker run --rm -v "$PWD:/src" -w /src irsa-audit scan .
#
# For several platforms: docker buildx build --platform linux/amd64,linux/arm64 ... The build
# stage runs on the build machine's platform and cross-compiles (no emulation needed).
# TestDockerfile (dockerfile_test.go) checks this file and runs its build command.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=devel
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/irsa-audit ./cmd/irsa-audit

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/irsa-audit /irsa-audit
COPY LICENSE NOTICE /licenses/
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/irsa-audit"]
CMD ["--help"]
