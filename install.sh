#!/bin/sh
# Installs sshpod for the current user: the program under PREFIX/lib/sshpod, a launcher at
# PREFIX/bin/sshpod (and kubectl's plugin beside it: kubectl-ssh, kubectl_complete-ssh), then
# `sshpod configure` (asking first unless --yes).
#   ./install.sh [--prefix DIR] [--yes]     install, or upgrade in place (PREFIX defaults to ~/.local)
#   ./install.sh --uninstall [--prefix DIR]  remove the program, the launcher and the ssh config block
# Run from a checkout, it installs that checkout (building it if needed); run on its own
# (curl … | sh), it installs the sshpod package from the npm registry.
set -eu

prefix="${HOME}/.local"
yes=''
uninstall=''
package="${SSHPOD_PACKAGE:-sshpod}"

usage() {
  sed -n '2,7p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --yes | -y) yes=1 ;;
    --uninstall) uninstall=1 ;;
    -h | --help) usage 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done

say() { printf 'install.sh: %s\n' "$*" >&2; }
# A value single-quoted for sh.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
die() { say "$*"; exit 1; }

lib="$prefix/lib/sshpod"
launcher="$prefix/bin/sshpod"
# kubectl runs kubectl-ssh for `kubectl ssh`, and kubectl_complete-ssh to complete its words.
kubectl_plugins="kubectl-ssh kubectl_complete-ssh"

if [ -n "$uninstall" ]; then
  if [ -x "$launcher" ]; then "$launcher" unconfigure --purge || say "could not remove the ssh config block; run: sshpod unconfigure"; fi
  rm -rf "$lib" "$lib.new" "$lib.old"
  rm -f "$launcher"
  for plugin in $kubectl_plugins; do rm -f "$prefix/bin/$plugin"; done
  say "removed sshpod from $prefix"
  exit 0
fi

command -v node >/dev/null 2>&1 || die "Node.js 20 or newer is needed: install it from https://nodejs.org or your package manager (e.g. apt-get install nodejs)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "Node.js 20 or newer is needed, this is $(node --version): upgrade it (https://nodejs.org)"
node_path=$(node -e 'process.stdout.write(process.execPath)')
command -v ssh >/dev/null 2>&1 || die "the OpenSSH client (ssh) is needed: install it (e.g. apt-get install openssh-client)"

work=$(mktemp -d "${TMPDIR:-/tmp}/sshpod-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

here=$(cd "$(dirname "$0")" 2>/dev/null && pwd || echo '')
if [ -n "$here" ] && [ -f "$here/package.json" ] && grep -q '"name": "sshpod"' "$here/package.json" && [ -d "$here/src" ]; then
  say "installing from the checkout in $here"
  if [ ! -f "$here/dist/sshpod.cjs" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed to build this checkout"
    [ -d "$here/node_modules" ] || (cd "$here" && npm ci --no-audit --no-fund >&2)
    (cd "$here" && npm run --silent build >&2)
  fi
  source_dir=$here
else
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch sshpod from the npm registry"
  say "fetching $package from the npm registry"
  (cd "$work" && npm pack --silent "$package" >/dev/null) || die "could not download $package from the npm registry"
  tar -xzf "$work"/*.tgz -C "$work"
  source_dir="$work/package"
fi

# Build the new copy beside the old one, then swap: an interrupted upgrade leaves the old one.
mkdir -p "$prefix/lib" "$prefix/bin"
rm -rf "$lib.new"
mkdir -p "$lib.new"
for part in package.json README.md bin dist bundles; do
  [ -e "$source_dir/$part" ] && cp -R "$source_dir/$part" "$lib.new/"
done
rm -rf "$lib.new/bundles/build"
if [ ! -f "$lib.new/dist/sshpod.cjs" ] || [ ! -f "$lib.new/bundles/manifest.json" ]; then
  die "the sshpod package is incomplete (no dist/sshpod.cjs or bundles/manifest.json)"
fi
rm -rf "$lib.old"
[ -d "$lib" ] && mv "$lib" "$lib.old"
mv "$lib.new" "$lib"
rm -rf "$lib.old"

cat >"$launcher.new" <<EOF
#!/bin/sh
# sshpod launcher, written by install.sh
exec $(quote "$node_path") $(quote "$lib/bin/sshpod.cjs") "\$@"
EOF
chmod 755 "$launcher.new"
mv "$launcher.new" "$launcher"
for plugin in $kubectl_plugins; do
  cat >"$prefix/bin/$plugin.new" <<EOF
#!/bin/sh
# sshpod's kubectl plugin launcher, written by install.sh
exec $(quote "$node_path") $(quote "$lib/bin/$plugin.cjs") "\$@"
EOF
  chmod 755 "$prefix/bin/$plugin.new"
  mv "$prefix/bin/$plugin.new" "$prefix/bin/$plugin"
done
say "installed sshpod $("$launcher" --version) to $lib (launcher: $launcher)"

case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) say "note: $prefix/bin is not on your PATH; add it to use the sshpod command directly" ;;
esac

if [ -z "$yes" ]; then
  # /dev/tty exists even without a controlling terminal: only opening it tells.
  if (: </dev/tty >/dev/tty) 2>/dev/null; then
    printf 'Add the Host *.sshpod block to ~/.ssh/config? [Y/n] ' >/dev/tty
    read -r answer </dev/tty || answer=n
    case $answer in '' | y | Y | yes | YES) yes=1 ;; esac
  fi
  if [ -z "$yes" ]; then
    say "skipped the ssh config; run later: sshpod configure"
    exit 0
  fi
fi
"$launcher" configure --yes
