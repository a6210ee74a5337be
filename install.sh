#!/bin/sh
# Installs a rulesctl release binary, verified against the release's SHA256SUMS:
#
#   curl -fsSL https://github.com/rulesctl/rulesctl/releases/latest/download/install.sh | sh
#
# Settings (all optional):
#   RULESCTL_VERSION       the version to install (0.1.0 or v0.1.0); default: RELEASE below
#   RULESCTL_INSTALL_DIR   where the binary goes; default: $HOME/.local/bin
#   RULESCTL_TARGET        a Rust target triple; default: this machine's
#   RULESCTL_RELEASES_URL  where releases are downloaded from; default: REPOSITORY/releases/download
#   RULESCTL_DRY_RUN=1     print the two URLs it would download, and nothing else
#
# REPOSITORY is Cargo.toml's `repository` and RELEASE its `version` (tests/integration/docs.rs
# checks both, and that the archive names match the release workflow and cargo-binstall's).
set -eu

REPOSITORY="https://github.com/rulesctl/rulesctl"
RELEASE="0.1.0"

say() { printf 'rulesctl install: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) fail "no release binary for the processor $arch; build from source: cargo install --locked --git $REPOSITORY rulesctl" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    *) fail "no release binary for $os; build from source: cargo install --locked --git $REPOSITORY rulesctl" ;;
  esac
}

version=${RULESCTL_VERSION:-$RELEASE}
version=${version#v}
target=${RULESCTL_TARGET:-$(detect_target)}
releases=${RULESCTL_RELEASES_URL:-$REPOSITORY/releases/download}
archive="rulesctl-v$version-$target.tar.gz"
archive_url="$releases/v$version/$archive"
sums_url="$releases/v$version/SHA256SUMS"

if [ "${RULESCTL_DRY_RUN:-}" = 1 ]; then
  echo "$archive_url"
  echo "$sums_url"
  exit 0
fi

dir=${RULESCTL_INSTALL_DIR:-${HOME:?HOME is not set; set RULESCTL_INSTALL_DIR}/.local/bin}

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,file' -fsSL -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed"
  fi
}

sha256() { # FILE
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed, so the download cannot be verified"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading $archive_url"
download "$archive_url" "$tmp/$archive" || fail "cannot download $archive_url"
download "$sums_url" "$tmp/SHA256SUMS" || fail "cannot download $sums_url"

expected=$(awk -v f="$archive" '$2 == f || $2 == "./" f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS lists no $archive; refusing to install"
actual=$(sha256 "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $archive: expected $expected, got $actual; refusing to install"
fi

tar -xzf "$tmp/$archive" -C "$tmp" rulesctl || fail "$archive holds no rulesctl binary"
mkdir -p "$dir"
# Copy beside the target, then rename: a running rulesctl is never left half-written.
cp "$tmp/rulesctl" "$dir/.rulesctl.$$"
chmod 755 "$dir/.rulesctl.$$"
mv -f "$dir/.rulesctl.$$" "$dir/rulesctl"
say "installed rulesctl $version ($target) to $dir/rulesctl, checksum verified"
case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *) say "$dir is not on PATH; add it: export PATH=\"$dir:\$PATH\"" ;;
esac
