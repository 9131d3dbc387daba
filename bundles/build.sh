#!/bin/bash
# Builds the static sshd bundles that sshpod copies into containers:
#   bundles/sshd-linux-amd64.gz, bundles/sshd-linux-arm64.gz and bundles/manifest.json.
# Source: Debian 12's openssh source package (upstream release plus Debian's security patches),
# linked statically against musl so the binary needs no file of the container it runs in.
#
# Usage (as root, on Debian 12): bundles/build.sh [OUT_DIR]
#   OUT_DIR                 where the outputs go (default: this directory)
#   SSHPOD_BUNDLES_WORK     scratch directory (default: bundles/build, gitignored; wiped)
#   SSHPOD_OPENSSH_VERSION  Debian version to build (default: the newest apt offers)
# It installs its own build dependencies with apt-get, adding a deb-src entry and the arm64
# architecture when they are missing. See bundles/README.md for what the build changes and why.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out_dir=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)
work=${SSHPOD_BUNDLES_WORK:-$here/build}
privsep_dir=/tmp/sshpod/empty
targets="amd64 arm64"

# Flags shared by both targets (recorded in the manifest). Everything that would need a runtime
# file or library is off; sshd must never write the container's login records; the default PATH
# is the one container images are built with, so /usr/local/bin tools are found. Nothing may
# depend on what the build machine happens to have installed (xauth is found by searching PATH
# unless given, so it is given: Debian's path).
configure_flags=(
  --prefix=/usr
  --sysconfdir=/etc/ssh
  --libexecdir=/usr/lib/openssh
  --without-openssl
  --without-zlib
  --without-pam
  --without-libedit
  --without-selinux
  --without-kerberos5
  --without-ldns
  --without-pie
  --with-sandbox=seccomp_filter
  --disable-pkcs11
  --with-xauth=/usr/bin/xauth
  --disable-lastlog
  --disable-utmp
  --disable-utmpx
  --disable-wtmp
  --disable-wtmpx
  --with-privsep-user=nobody
  --with-privsep-path="$privsep_dir"
  --with-default-path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  --with-superuser-path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
)

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Other processes may hold apt's locks for a while (unattended upgrades, parallel builds).
apt_get() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; then return 0; fi
    log "apt-get $* failed (try $i); retrying in 15s"
    sleep 15
  done
  die "apt-get $* kept failing"
}

ensure_apt_setup() {
  local changed=0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture (for musl-dev:arm64)"
    dpkg --add-architecture arm64
    changed=1
  fi
  # shellcheck disable=SC2016 # $(IDENTIFIER) is apt's placeholder, not a shell expansion
  if ! apt-get indextargets --format '$(IDENTIFIER)' | grep -qx Sources; then
    log "adding deb-src entries (apt-get source needs them)"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: .*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        >/etc/apt/sources.list.d/sshpod-deb-src.sources
    elif grep -qs '^deb ' /etc/apt/sources.list; then
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/sshpod-deb-src.list
    else
      printf '%s\n' 'deb-src http://deb.debian.org/debian bookworm main' \
        'deb-src http://deb.debian.org/debian-security bookworm-security main' \
        >/etc/apt/sources.list.d/sshpod-deb-src.list
    fi
    changed=1
  fi
  # Fresh images ship without package lists; a new architecture or deb-src entry needs them too.
  if [ "$changed" = 1 ] || [ -z "$(apt-cache showsrc openssh 2>/dev/null)" ] ||
    ! apt-cache show gcc-aarch64-linux-gnu musl-dev:arm64 >/dev/null 2>&1; then
    apt_get update -qq
  fi
}

install_build_deps() {
  local pkgs="dpkg-dev make gcc autoconf musl-tools gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev linux-libc-dev:arm64"
  local p missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    log "installing$missing"
    # shellcheck disable=SC2086
    apt_get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}

fetch_source() {
  local spec=openssh
  [ -n "${SSHPOD_OPENSSH_VERSION:-}" ] && spec="openssh=$SSHPOD_OPENSSH_VERSION"
  mkdir -p "$work/src"
  (cd "$work/src" && apt_get -o APT::Sandbox::User=root source -qq --download-only "$spec" >/dev/null)
  local dsc
  dsc=$(ls "$work"/src/openssh_*.dsc)
  [ "$(printf '%s\n' "$dsc" | wc -l)" = 1 ] || die "expected one openssh .dsc in $work/src, found: $dsc"
  dpkg-source --no-check -x "$dsc" "$work/src/openssh" >/dev/null
  # Debian's patches change configure.ac, so configure must be regenerated (Debian's own build
  # does it with dh_autoreconf); aclocal.m4 ships with the source, so autoconf alone suffices.
  (cd "$work/src/openssh" && autoheader 2>/dev/null && autoconf 2>/dev/null) ||
    die "autoheader/autoconf failed in $work/src/openssh"
}

# "12.2.0-14" for the package that owns the compiler binary, so the manifest names what ran.
package_version_of() {
  local file pkg
  file=$(readlink -f "$(command -v "$1")")
  pkg=$(dpkg-query -S "$file" | head -n1 | cut -d: -f1)
  dpkg-query -W -f='${Version}' "$pkg"
}

build_target() {
  local arch=$1 dir="$work/$1" cc host_args triplet
  case $arch in
    amd64)
      cc="musl-gcc" triplet=x86_64-linux-gnu host_args=() ;;
    arm64)
      # --host without --build: configure finds it can run arm64 programs (qemu-user through
      # binfmt_misc) and runs its test programs, so both targets get measured, not assumed,
      # answers (with --build too it would assume, e.g. a malloc(0) that returns NULL).
      cc="aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs"
      triplet=aarch64-linux-gnu host_args=(--host=aarch64-linux-gnu) ;;
    *) die "unknown target $arch" ;;
  esac
  local ar=ar strip=strip
  [ "$arch" = amd64 ] || ar=$triplet-ar strip=$triplet-strip
  log "building sshd for linux/$arch"
  rm -rf "$dir"
  cp -a "$work/src/openssh" "$dir"

  # musl-gcc sees only musl's headers; the seccomp sandbox also needs the kernel's (as Alpine
  # builds it). They go last in the search path, so they can never shadow a libc header.
  mkdir -p "$dir/kernel-headers"
  ln -s /usr/include/linux "$dir/kernel-headers/linux"
  ln -s "/usr/include/$triplet/asm" "$dir/kernel-headers/asm"
  ln -s /usr/include/asm-generic "$dir/kernel-headers/asm-generic"

  # The build path must not leak into the binary (OpenSSH's log macros use __FILE__).
  local cflags="-Os -ffunction-sections -fdata-sections -ffile-prefix-map=$dir=. -ffile-prefix-map=$here=."
  local cppflags="-idirafter $dir/kernel-headers"
  local ldflags="-static -Wl,--gc-sections -Wl,--build-id=none -Wl,--wrap=getpwnam -Wl,--wrap=getpwuid -Wl,--wrap=daemon -Wl,--wrap=listen -Wl,--wrap=chdir -Wl,--wrap=fork -Wl,--wrap=waitpid -Wl,--wrap=ppoll -Wl,--wrap=malloc -Wl,--wrap=free -Wl,--wrap=calloc -Wl,--undefined=__wrap_malloc"

  # The compat objects go in through LIBS so configure's own link tests see them too (crypt()).
  mkdir -p "$dir/sshpod-compat"
  local c objs=()
  for c in "$here"/compat/*.c; do
    local o
    o="$dir/sshpod-compat/$(basename "${c%.c}").o"
    # shellcheck disable=SC2086
    $cc $cflags -Wall -Wextra -Werror -DSSHPOD_DEFAULT_PRIVSEP_DIR="\"$privsep_dir\"" -c "$c" -o "$o"
    objs+=("$o")
  done
  "$ar" rcD "$dir/sshpod-compat/libsshpod-compat.a" "${objs[@]}"

  (
    cd "$dir"
    ./configure -q "${host_args[@]}" \
      CC="$cc" CFLAGS="$cflags" CPPFLAGS="$cppflags" LDFLAGS="$ldflags" \
      LIBS="$dir/sshpod-compat/libsshpod-compat.a" \
      "${configure_flags[@]}" >"$dir/configure.out" 2>&1 || { cat "$dir/configure.out" >&2; exit 1; }
    if grep -q 'WARNING: cross compiling' config.log; then
      die "configure for $arch could not run $arch programs (is qemu-aarch64 in binfmt_misc?)"
    fi
    patch_config_h config.h
    make -s -j"$(nproc)" sshd >"$dir/make.out" 2>&1 || { tail -n 50 "$dir/make.out" >&2; exit 1; }
  ) || die "build for $arch failed (logs in $dir)"
  "$strip" --strip-all -o "$dir/sshd.stripped" "$dir/sshd"
}

# The only changes to OpenSSH, appended mechanically to configure's config.h (which every
# OpenSSH source includes first, after the Makefile's -D options):
#  - the privsep chroot directory (a -D string from --with-privsep-path) becomes a call, so
#    $SSHPOD_PRIVSEP_DIR can override it (compat/privsep-dir.c);
#  - no "account is locked" refusal for a "!" password field: with PAM (Debian's own sshd) that
#    check never runs, and many images create their users locked (useradd, adduser -D);
#  - recallocarray() comes from compat/recallocarray.c, not from openbsd-compat: the portable
#    one reallocates on every sshbuf step, which musl's malloc makes cost mmap/munmap each time.
patch_config_h() {
  local h=$1
  grep -q '^#define LOCKED_PASSWD_PREFIX "!"$' "$h" || die "config.h: expected LOCKED_PASSWD_PREFIX \"!\""
  cat >>"$h" <<'EOF_CONFIG'

/* Added by sshpod's bundles/build.sh (see bundles/README.md). */
const char *sshpod_privsep_dir(void);
#undef _PATH_PRIVSEP_CHROOT_DIR
#define _PATH_PRIVSEP_CHROOT_DIR sshpod_privsep_dir()
#undef LOCKED_PASSWD_PREFIX
#undef LOCKED_PASSWD_STRING
#undef LOCKED_PASSWD_SUBSTR
#include <stddef.h>
#define HAVE_RECALLOCARRAY 1
void *recallocarray(void *, size_t, size_t, size_t);
EOF_CONFIG
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }

write_manifest() {
  local upstream=$1 debian=$2 f first=1 arch machines
  {
    printf '{\n  "schema": 1,\n'
    printf '  "openssh": { "upstream": "%s", "debian": "%s" },\n' "$upstream" "$debian"
    printf '  "configure": ['
    for f in "${configure_flags[@]}"; do
      [ "$first" = 1 ] || printf ', '
      first=0
      printf '"%s"' "$f"
    done
    printf '],\n'
    printf '  "toolchain": { "musl": "%s", "gcc": "%s", "aarch64-gcc": "%s" },\n' \
      "$(dpkg-query -W -f='${Version}' musl-dev:amd64)" \
      "$(package_version_of x86_64-linux-gnu-gcc)" \
      "$(package_version_of aarch64-linux-gnu-gcc)"
    printf '  "targets": {\n'
    first=1
    for arch in $targets; do
      case $arch in
        amd64) machines='["x86_64", "amd64"]' ;;
        arm64) machines='["aarch64", "arm64"]' ;;
      esac
      [ "$first" = 1 ] || printf ',\n'
      first=0
      printf '    "linux/%s": { "unameMachines": %s, "file": "sshd-linux-%s.gz",\n' "$arch" "$machines" "$arch"
      printf '      "sha256": "%s", "size": %s,\n' \
        "$(sha256_of "$work/sshd-linux-$arch.gz")" "$(size_of "$work/sshd-linux-$arch.gz")"
      printf '      "rawSha256": "%s", "rawSize": %s }' \
        "$(sha256_of "$work/$arch/sshd.stripped")" "$(size_of "$work/$arch/sshd.stripped")"
    done
    printf '\n  }\n}\n'
  } >"$work/manifest.json"
}

main() {
  [ "$(id -u)" = 0 ] || die "run as root (it installs build dependencies with apt-get)"
  grep -qs '^VERSION_CODENAME=bookworm$' /etc/os-release ||
    log "warning: not Debian 12 (bookworm); the bundles are specified as built from bookworm's openssh"
  ensure_apt_setup
  install_build_deps
  # qemu-user-static registered in binfmt_misc: the arm64 configure runs its test programs.
  sh "$here/../scripts/install-host-deps.sh"

  rm -rf "$work"
  mkdir -p "$work"
  fetch_source
  local debian upstream
  debian=$(dpkg-parsechangelog -l "$work/src/openssh/debian/changelog" -SVersion)
  upstream=${debian#*:}
  upstream=${upstream%%-*}
  # A fixed clock: the last Debian changelog entry, so the same source gives the same binary.
  SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$work/src/openssh/debian/changelog" -STimestamp)
  export SOURCE_DATE_EPOCH LC_ALL=C TZ=UTC
  log "openssh $debian (upstream $upstream), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"

  local arch
  for arch in $targets; do
    build_target "$arch"
    gzip -9n <"$work/$arch/sshd.stripped" >"$work/sshd-linux-$arch.gz"
  done
  write_manifest "$upstream" "$debian"

  for arch in $targets; do cp "$work/sshd-linux-$arch.gz" "$out_dir/"; done
  cp "$work/manifest.json" "$out_dir/manifest.json"
  log "wrote $out_dir/manifest.json and sshd-linux-{$(echo "$targets" | tr ' ' ,)}.gz"
}

main "$@"
