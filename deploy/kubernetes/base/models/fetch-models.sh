#!/usr/bin/env bash
# Gets production models into a folder (default ./models), two ways:
#
#   scripts/fetch-models.sh [DIR] --mirror URL
#       Downloads the ONNX files named in scripts/models.sha256 from URL/<file> (your artefact store, a
#       Hugging Face repo, a bucket...) and checks each against its pinned SHA-256. Nothing unverified is kept.
#
#   scripts/fetch-models.sh [DIR] --export
#       Downloads the official Real-ESRGAN PyTorch weights from the project's GitHub releases and exports them to
#       ONNX locally (needs python3 with torch; RRDBNet models also need basicsr). Prints each file's SHA-256 so
#       you can pin it in the catalog (Restore:Models:Entries:N:Sha256).
#
# The server reads DIR via --Restore:Models:Directory=DIR (or Restore__Models__Directory=DIR).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="models"
mode=""
mirror=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) mode="mirror"; mirror="${2:?--mirror needs a URL}"; shift 2 ;;
    --export) mode="export"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) dir="$1"; shift ;;
  esac
done
[ -n "$mode" ] || { sed -n '2,15p' "$0"; exit 2; }
mkdir -p "$dir"

if [ "$mode" = "mirror" ]; then
  grep -v '^#' "$here/models.sha256" | while read -r sha file; do
    [ -n "$file" ] || continue
    if [ -f "$dir/$file" ] && echo "$sha  $dir/$file" | sha256sum -c --status; then
      echo "ok       $file (already present)"; continue
    fi
    tmp="$dir/.$file.part"
    curl -fL --retry 3 -o "$tmp" "${mirror%/}/$file"
    if echo "$sha  $tmp" | sha256sum -c --status; then
      mv "$tmp" "$dir/$file"; echo "verified $file"
    else
      rm -f "$tmp"; echo "SHA-256 MISMATCH for $file: not kept" >&2; exit 1
    fi
  done
  exit 0
fi

# --export: official checkpoints (Real-ESRGAN GitHub releases), converted here.
release="https://github.com/xinntao/Real-ESRGAN/releases/download"
declare -A weights=(
  [realesr-general-x4v3]="$release/v0.2.5.0/realesr-general-x4v3.pth"
  [realesr-animevideov3-x4]="$release/v0.2.5.0/realesr-animevideov3.pth"
  [RealESRGAN_x4plus]="$release/v0.1.0/RealESRGAN_x4plus.pth"
  [RealESRGAN_x2plus]="$release/v0.2.1/RealESRGAN_x2plus.pth"
)
for name in "${!weights[@]}"; do
  pth="$dir/$name.pth"
  [ -f "$pth" ] || curl -fL --retry 3 -o "$pth" "${weights[$name]}"
  python3 "$here/export_realesrgan_onnx.py" "$name" "$pth" "$dir/$name.onnx"
  echo "$(sha256sum "$dir/$name.onnx" | cut -d' ' -f1)  $name.onnx  (pin this as Sha256)"
done
