# Debian packages: the Python stack (PyPI is not used here), graphviz, and a
# browser for the tests. Installed once; the stamp is redone when this list changes.

DEBIAN_PACKAGES := \
  python3-torch python3-matplotlib python3-graphviz python3-yaml python3-pytest \
  python3-selenium python3-venv graphviz librsvg2-bin scour fonts-lato \
  chromium chromium-driver ruby-full build-essential nodejs \
  python3-fonttools python3-brotli python3-bs4 python3-lxml default-jre-headless flake8 \
  libopenblas0-serial
# libopenblas0-serial: Debian's torch calls the system BLAS (libblas.so.3), which is
# the slow reference BLAS unless OpenBLAS provides it; the toy models train 2-3x
# faster with it (serial: one thread, as the training uses). It shapes trained
# weights, so every machine that builds figures installs the same one.
# fonttools + brotli: the Font Awesome subset (tools/subset-icons); bs4 + lxml:
# the site tests read HTML; a Java runtime: the W3C Nu HTML validator (vnu-jar);
# flake8: `make lint` (configured in .flake8).
# Debian's nodejs comes without npm; a nodejs from elsewhere (e.g. nodesource)
# carries its own npm and conflicts with Debian's, so npm is added only if absent.
DEBIAN_PACKAGES += $(if $(shell command -v npm),,npm)

DEBIAN_STAMP := $(BUILD)/stamps/debian

.PHONY: debian
debian: $(DEBIAN_STAMP) ## install the Debian packages (apt-get; needs root)

$(DEBIAN_STAMP): mk/debian.mk
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "error: missing packages: $$missing (this is not Debian: see README, 'Elsewhere')"; exit 1; fi; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing Debian packages: $$missing"; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi
	@mkdir -p $(@D) && touch $@
