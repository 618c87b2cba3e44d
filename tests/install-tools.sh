#!/usr/bin/env bash
# Installs the independent readers and validators the tests open outputs with
# (see ../shared/VALIDATORS.md): poppler/qpdf for PDFs, zbar for QR codes, LibreOffice for
# DOCX, Chromium + Ace by DAISY for EPUB accessibility, Chromium + chromedriver + axe-core for
# the web site. Python ones (Selenium too) come from `.[test]`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need_apt=()
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v zbarimg >/dev/null || need_apt+=(zbar-tools)
command -v soffice >/dev/null || need_apt+=(libreoffice-writer)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)  # Selenium drives it (web site)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Ace by DAISY, without Electron or Puppeteer's own browser (neither can download here)
if [ ! -x "$here/.tools/node_modules/.bin/ace-puppeteer" ]; then
  mkdir -p "$here/.tools"
  (cd "$here/.tools" && ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
     npm install --no-audit --no-fund --loglevel=error @daisy/ace@1.4.6 >/dev/null)
fi
# axe-core: the accessibility rules the web site's browser tests run inside Chromium
if [ ! -f "$here/.tools/node_modules/axe-core/axe.min.js" ]; then
  mkdir -p "$here/.tools"
  (cd "$here/.tools" && npm install --no-audit --no-fund --loglevel=error axe-core@4 >/dev/null)
fi
