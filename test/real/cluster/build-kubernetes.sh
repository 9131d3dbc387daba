#!/usr/bin/env bash
# Builds kube-apiserver, kubelet and kube-controller-manager v1.20.2 from Debian 12's `kubernetes`
# source package (Debian itself only builds kubectl from it) into the real lane's cache, once:
# the binaries, the Go build cache and the unpacked source stay there, so a second run is a
# no-op and a changed flag rebuilds in seconds. Facts behind each step: ../shared/real-k8s.md.
#
# The host's apt is left alone: the deb-src entry lives in a sources list of our own, with its
# own package lists, used only for `apt-get source`.
set -euo pipefail

cache=${SSHPOD_REAL_CACHE:-/var/cache/sshpod-real-k8s}
version=v1.20.2
debian_version=1.20.5+really1.20.2-1.1+deb12u1
gopath=$cache/gopath
src=$gopath/src/k8s.io/kubernetes
bin=$cache/bin
stamp=$bin/.built-$version
binaries="kube-apiserver kubelet kube-controller-manager"

log() { echo "real-k8s build: $*" >&2; }

mkdir -p "$cache" "$bin"
exec 9>"$cache/build.lock"
flock 9 # one build at a time on this machine (two worktrees, or CI and a developer)

if [ -f "$stamp" ] && for b in $binaries; do [ -x "$bin/$b" ] || exit 1; done; then
  log "binaries $version are built ($bin)"
  exit 0
fi

# 1. The source: Debian's tarball holds the whole tree with vendor/ and staging/.
if [ ! -f "$src/.unpacked-$debian_version" ]; then
  apt_dir=$cache/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/src"
  cat >"$apt_dir/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/none"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
  if [ ! -f "$cache/src/kubernetes_$debian_version.dsc" ]; then
    log "fetching the kubernetes $debian_version source package"
    apt-get "${apt_opts[@]}" -qq update
    (cd "$cache/src" && apt-get "${apt_opts[@]}" -qq source --download-only "kubernetes=$debian_version")
  fi
  log "unpacking the source into $src"
  rm -rf "$src" "$cache/src/unpack"
  (cd "$cache/src" && dpkg-source -q -x --no-check "kubernetes_$debian_version.dsc" unpack)
  mkdir -p "$(dirname "$src")"
  mv "$cache/src/unpack" "$src"
  touch "$src/.unpacked-$debian_version"
fi

# 1.20 builds in GOPATH mode only (module mode wants to update go.mod), offline.
export GOPATH=$gopath GO111MODULE=off GOPROXY=off GOFLAGS="" CGO_ENABLED=0
export GOCACHE=$cache/go-build
cd "$src"

# 2. The OpenAPI definitions upstream generates at build time (not in the source): openapi-gen
#    over every package tagged +k8s:openapi-gen=, as Makefile.generated_files does.
openapi=pkg/generated/openapi/zz_generated.openapi.go
if [ ! -s "$openapi" ]; then
  log "generating $openapi"
  go build -o "$cache/tools/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  dirs=$(find -H . -not \( \( -path './_*' -o -path './.*' -o -path ./vendor -o -path ./debian \) -prune \) \
    -type f -name '*.go' -print |
    sed 's|^\./staging/src|vendor|; s|^\./||' |
    grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' |
    xargs grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' |
    xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd,)
  mkdir -p "$cache/tools"
  "$cache/tools/openapi-gen" --logtostderr -i "$dirs" -p k8s.io/kubernetes/pkg/generated/openapi \
    -O zz_generated.openapi -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
    -r "$cache/tools/openapi-violations.report" 2>"$cache/tools/openapi-gen.log" ||
    { tail -20 "$cache/tools/openapi-gen.log" >&2; exit 1; }
  # Upstream's check: the API-rule report equals the known exceptions, else the input was wrong.
  diff -q "$cache/tools/openapi-violations.report" api/api-rules/violation_exceptions.list >/dev/null ||
    log "warning: openapi-gen's API rule report differs from api/api-rules/violation_exceptions.list"
fi

# 3. The three server binaries, without the in-tree cloud providers, with the version stamped
#    as hack/lib/version.sh does (in GOPATH mode the packages sit under vendor/).
ldflags="-s -w"
for pkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=20"
  ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=2021-01-13T13:20:00Z"
done
for b in $binaries; do
  log "building $b (a first build of all three takes about ten minutes on two cores)"
  start=$(date +%s)
  go build -tags providerless -ldflags "$ldflags" -o "$bin/$b.tmp" "./cmd/$b"
  mv "$bin/$b.tmp" "$bin/$b"
  log "$b built in $(($(date +%s) - start)) s"
done
touch "$stamp"
