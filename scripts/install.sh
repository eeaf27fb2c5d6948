#!/bin/sh
# Install cdk-toolkit from a release archive, checksum-verified: one binary, and the six
# tools' names as hard links to it (each answers to the name it is called by):
#
#   curl -LsSf https://github.com/cdk-toolkit/cdk-toolkit/releases/latest/download/install.sh | sh
#   sh install.sh [--version V] [--base-url URL] [--prefix DIR]
#
#   --version V     the release to install (default: the latest; also CDK_TOOLKIT_VERSION)
#   --base-url URL  where releases live, as <URL>/v<version>/<archive> and
#                   <URL>/v<version>/SHA256SUMS (default: the GitHub release downloads;
#                   also CDK_TOOLKIT_BASE_URL). A mirror without --version publishes the
#                   latest version's number at <URL>/latest.
#   --prefix DIR    where the binaries go (default: ~/.local/bin; also
#                   CDK_TOOLKIT_INSTALL_DIR)
#
# It fails closed: an unsupported platform, a missing SHA256SUMS or a checksum that does
# not match exits non-zero with one line and installs nothing. Each name is replaced
# with one rename, so no half-written command is ever left, and a failure part way puts
# the old ones back; an install already in place is left as it is, so running it again
# changes nothing.
set -eu

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

REPOSITORY=cdk-toolkit/cdk-toolkit
BINARIES="get-registry-token install-registry-credentials-helper manage-registry-permissions manage-registry-modules immukv api-key"
NAMES="cdk-toolkit $BINARIES"
DEFAULT_BASE_URL=https://github.com/$REPOSITORY/releases/download

say() {
  printf 'cdk-toolkit installer: %s\n' "$*" >&2
}

fail() {
  printf 'cdk-toolkit installer: error: %s\n' "$*" >&2
  exit 1
}

# What the last download said went wrong, on one line.
why() {
  tr -s '\r\n' '  ' <"$tmp/why" 2>/dev/null | sed 's/ *$//'
}

version=${CDK_TOOLKIT_VERSION:-}
base_url=${CDK_TOOLKIT_BASE_URL:-$DEFAULT_BASE_URL}
prefix=${CDK_TOOLKIT_INSTALL_DIR:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || fail "--version needs a value"; version=$2; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --base-url) [ $# -ge 2 ] || fail "--base-url needs a value"; base_url=$2; shift 2 ;;
    --base-url=*) base_url=${1#*=}; shift ;;
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a value"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done
if [ -z "$prefix" ]; then
  [ -n "${HOME:-}" ] || fail "HOME is not set: pass --prefix DIR"
  prefix=$HOME/.local/bin
fi
base_url=${base_url%/}

# Only https carries the download, but for a server on this machine (mirrors, tests).
# The host is read as a download tool reads it: a user name or password in the URL
# could hide the real one (http://localhost:x@HOST/ is HOST), so none is accepted.
refuse_url() {
  fail "refusing to download from $base_url: $1; use an https:// URL (plain http only to this machine: 127.0.0.1, localhost, [::1])"
}
case "$base_url" in
  http://* | https://*) ;;
  *) refuse_url "it is not an http(s) URL" ;;
esac
scheme=${base_url%%://*}
authority=${base_url#*://}
authority=${authority%%/*}
case "$authority" in
  '') refuse_url "it names no host" ;;
  *@*) refuse_url "it carries a user name or password" ;;
  *[!A-Za-z0-9.:\[\]-]*) refuse_url "its host part has characters a host name does not" ;;
esac
case "$authority" in
  \[*\]:*) host=${authority%%]*}]; port=${authority##*]:} ;;
  \[*\]) host=$authority; port= ;;
  *:*) host=${authority%%:*}; port=${authority#*:} ;;
  *) host=$authority; port= ;;
esac
case "$port" in
  *[!0-9]*) refuse_url "its port is not a number" ;;
esac
if [ "$scheme" = http ]; then
  case "$host" in
    127.0.0.1 | localhost | \[::1\]) ;;
    *) refuse_url "plain http to another machine" ;;
  esac
fi

os=$(uname -s)
arch=$(uname -m)
case "$os-$arch" in
  Linux-x86_64 | Linux-amd64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64 | Darwin-aarch64) target=aarch64-apple-darwin ;;
  *) fail "no release for $os $arch (there are for Linux and macOS, x86_64 and arm64): build from source with \`cargo install --locked --git https://github.com/$REPOSITORY\`" ;;
esac

# fetch URL FILE: the download tool's complaint, if any, is kept for the one error line.
# Redirects are followed to https only: a mirror cannot hand the download to plain http.
if [ "$scheme" = https ]; then protocols='=https'; else protocols='=http,https'; fi
if command -v curl >/dev/null 2>&1; then
  fetch() {
    curl -fsSL --proto "$protocols" --proto-redir =https --retry 3 --connect-timeout 10 --max-time 600 \
      -o "$2" "$1" 2>"$tmp/why"
  }
elif command -v wget >/dev/null 2>&1; then
  # wget cannot be told which redirects to follow: its headers say where it went.
  fetch() {
    wget -q -S --tries=3 --timeout=60 -O "$2" "$1" 2>"$tmp/headers" || { cp "$tmp/headers" "$tmp/why"; return 1; }
    if grep -i '^ *location: *http:' "$tmp/headers" >/dev/null; then
      echo "redirected to plain http" >"$tmp/why"
      rm -f "$2"
      return 1
    fi
  }
else
  fail "neither curl nor wget is installed: install one of them"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  fail "neither sha256sum nor shasum is installed: the download cannot be verified"
fi


if [ -z "$version" ]; then
  if [ "$base_url" = "$DEFAULT_BASE_URL" ] && command -v curl >/dev/null 2>&1; then
    latest=$(curl -fsSLI --proto =https --proto-redir =https --connect-timeout 10 --max-time 60 -o /dev/null -w '%{url_effective}' \
      "https://github.com/$REPOSITORY/releases/latest") || fail "cannot find the latest release: pass --version V"
    version=${latest##*/}
  else
    fetch "$base_url/latest" "$tmp/latest" || fail "cannot find the latest release at $base_url/latest ($(why)): pass --version V"
    version=$(tr -d ' \r\n' <"$tmp/latest")
  fi
fi
version=${version#v}
case "$version" in
  '' | *[!0-9A-Za-z.+-]*) fail "\"$version\" is not a version: pass --version like 0.1.0" ;;
esac

archive=cdk-toolkit-$version-$target.tar.gz
release=$base_url/v$version
fetch "$release/SHA256SUMS" "$tmp/SHA256SUMS" ||
  fail "cannot download $release/SHA256SUMS ($(why)): refusing to install what cannot be verified; nothing was installed"
fetch "$release/$archive" "$tmp/$archive" ||
  fail "cannot download $release/$archive ($(why)): is there a release $version for $target? nothing was installed"
expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "$release/SHA256SUMS lists no $archive: nothing was installed"
actual=$(sha256 "$tmp/$archive")
[ "$expected" = "$actual" ] ||
  fail "$archive does not match its checksum (expected $expected, got $actual): the download is corrupt or was tampered with; nothing was installed"

mkdir "$tmp/unpacked"
tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || fail "cannot unpack $archive: nothing was installed"
from=$tmp/unpacked/cdk-toolkit-$version-$target
[ -f "$from/cdk-toolkit" ] || fail "$archive holds no cdk-toolkit: nothing was installed"
for bin in $BINARIES; do
  cmp -s "$from/cdk-toolkit" "$from/$bin" 2>/dev/null || fail "$archive holds no $bin beside cdk-toolkit: nothing was installed"
done

mkdir -p "$prefix" || fail "cannot create $prefix: pass --prefix DIR"
# Where each name goes there is nothing, or a regular file (or a link to one): a folder
# or a device there is refused before anything is written.
for name in $NAMES; do
  dest=$prefix/$name
  if [ -d "$dest" ]; then
    fail "$dest is a folder: remove it or pass --prefix DIR; nothing was installed"
  elif [ -e "$dest" ] && [ ! -f "$dest" ]; then
    fail "$dest is not a regular file: remove it or pass --prefix DIR; nothing was installed"
  fi
done

# Installed already: cdk-toolkit is this release's, and every tool's name is a hard link
# to it. Then nothing is written, so running the installer again changes nothing.
in_place() {
  [ -f "$prefix/cdk-toolkit" ] && cmp -s "$from/cdk-toolkit" "$prefix/cdk-toolkit" || return 1
  for bin in $BINARIES; do
    [ "$prefix/$bin" -ef "$prefix/cdk-toolkit" ] || return 1
  done
}

# All or nothing: the new binary is written beside its target once, each tool's name is
# made a hard link to it there (a copy where the file system has no hard links), then
# each name is moved into place with one rename; when one cannot be, the ones already
# moved are put back, so a failure leaves the old binaries, never a mix.
staged=""
moved=""
part() { printf '%s/.%s.part.%s' "$prefix" "$1" "$$"; }
old() { printf '%s/.%s.old.%s' "$prefix" "$1" "$$"; }
roll_back() {
  for name in $moved; do
    if [ -f "$(old "$name")" ]; then mv -f "$(old "$name")" "$prefix/$name"; else rm -f "$prefix/$name"; fi
  done
  for name in $staged; do rm -f "$(part "$name")" "$(old "$name")"; done
  moved=""
  staged=""
}
trap 'roll_back; exit 1' INT TERM
copies=""
if in_place; then
  installed=""
else
  staged=cdk-toolkit
  if ! { cp "$from/cdk-toolkit" "$(part cdk-toolkit)" && chmod 755 "$(part cdk-toolkit)"; } 2>/dev/null; then
    roll_back
    fail "cannot write into $prefix: nothing was installed"
  fi
  for bin in $BINARIES; do
    staged="$staged $bin"
    if ln "$(part cdk-toolkit)" "$(part "$bin")" 2>/dev/null; then
      continue
    fi
    copies=" (as copies: $prefix has no hard links)"
    if ! cp -p "$(part cdk-toolkit)" "$(part "$bin")" 2>/dev/null; then
      roll_back
      fail "cannot write into $prefix: nothing was installed"
    fi
  done
  for name in $staged; do
    dest=$prefix/$name
    if [ -f "$dest" ] && ! { ln "$dest" "$(old "$name")" 2>/dev/null || cp -p "$dest" "$(old "$name")" 2>/dev/null; }; then
      roll_back
      fail "cannot keep a copy of $dest to put back on a failure: the binaries were left as they were; nothing was installed"
    fi
    if ! mv -f "$(part "$name")" "$dest" 2>/dev/null; then
      roll_back
      fail "cannot replace $dest: the binaries were left as they were; nothing was installed"
    fi
    moved="$moved $name"
  done
  for name in $staged; do rm -f "$(old "$name")"; done
  installed=$staged
fi
trap - INT TERM

if [ -n "$installed" ]; then
  say "installed cdk-toolkit $version ($target) into $prefix: cdk-toolkit, and $BINARIES as hard links to it$copies"
else
  say "cdk-toolkit $version is already installed in $prefix: nothing changed"
fi
case ":${PATH:-}:" in
  *":$prefix:"*) say "$prefix is on your PATH" ;;
  *) say "$prefix is not on your PATH: add it, e.g. echo 'export PATH=\"$prefix:\$PATH\"' >> ~/.profile" ;;
esac
say "shell completions and man pages are in the archive, $release/$archive (completions/, man/)"
