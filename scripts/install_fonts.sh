#!/usr/bin/env bash
# Installs what PDF output needs on Debian/Ubuntu: LibreOffice Writer (headless), poppler-utils,
# free CJK fonts, the Fandol fonts (仿宋/楷体 substitutes, taken from Debian's texlive-lang-chinese .deb)
# and our fontconfig aliases. Idempotent: every step is skipped when already done.
# Usage: scripts/install_fonts.sh        (as root: system-wide; otherwise: Fandol into ~/.local/share/fonts)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packages=(libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-liberation2 fontconfig)

say() { printf '[install_fonts] %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
  font_dir=/usr/local/share/fonts/report-builder
  conf_target=/etc/fonts/conf.d/65-report-builder.conf
else
  sudo=(sudo -n)
  font_dir=${XDG_DATA_HOME:-$HOME/.local/share}/fonts/report-builder
  conf_target=${XDG_CONFIG_HOME:-$HOME/.config}/fontconfig/conf.d/65-report-builder.conf
fi

changed=0

# 1. Debian packages (only the missing ones).
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing: ${missing[*]}"
  if [ ${#sudo[@]} -gt 0 ] && ! command -v sudo >/dev/null; then
    say "not root and no sudo: as root run  apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  changed=1
else
  say "packages already installed"
fi

# 2. Fandol fonts from texlive-lang-chinese (downloaded, not installed: we only need six .otf files).
fandol=(FandolSong-Regular FandolSong-Bold FandolHei-Regular FandolHei-Bold FandolFang-Regular FandolKai-Regular)
have_all=1
for f in "${fandol[@]}"; do [ -f "$font_dir/$f.otf" ] || have_all=0; done
if [ $have_all -eq 1 ]; then
  say "Fandol fonts already in $font_dir"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  say "downloading texlive-lang-chinese to extract the Fandol fonts"
  (cd "$work" && apt-get download -qq texlive-lang-chinese)
  dpkg-deb -x "$work"/texlive-lang-chinese_*.deb "$work/x"
  mkdir -p "$font_dir"
  for f in "${fandol[@]}"; do
    src=$(find "$work/x" -name "$f.otf" -print -quit)
    [ -n "$src" ] || { say "$f.otf not found in texlive-lang-chinese"; exit 1; }
    install -m 0644 "$src" "$font_dir/$f.otf"
  done
  # Fandol is under the GNU GPL v3 with the font exception; keep its notice next to the fonts.
  find "$work/x" -ipath '*fandol*' -iname 'README*' -exec install -m 0644 {} "$font_dir/" \; || true
  say "Fandol fonts installed in $font_dir"
  changed=1
fi

# 3. Our fontconfig aliases (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体 → free fonts).
mkdir -p "$(dirname "$conf_target")"
if cmp -s "$here/fonts/fonts.conf" "$conf_target"; then
  say "fontconfig aliases already in $conf_target"
else
  install -m 0644 "$here/fonts/fonts.conf" "$conf_target"
  changed=1
  say "fontconfig aliases installed in $conf_target"
fi

[ $changed -eq 0 ] || fc-cache -f >/dev/null
for name in 仿宋_GB2312 楷体_GB2312 黑体 宋体 方正小标宋简体; do
  say "$name → $(fc-match --format '%{family[0]} %{style[0]}' "$name")"
done
