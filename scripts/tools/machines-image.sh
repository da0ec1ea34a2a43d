#!/usr/bin/env bash
# Builds the Debian VM image the machines tests (Tier 1, issue 15) boot under QEMU: a minimal Debian
# root filesystem from the Debian archive (mmdebstrap) with cloud-init, ifupdown and the packages
# Drover's k3s seed installs, as a raw ext4 disk image, plus the Debian kernel and initrd to boot it
# directly (-kernel/-initrd). Usage: machines-image.sh OUTDIR RELEASE "PACKAGES"
#
# The image stands for a Debian generic cloud image with no way out: the seed's packages are installed
# ahead (nothing leaves the test machine, so cloud-init's apt run finds them installed) and the apt
# sources are empty. net-tools is deliberately absent (minimal Debian 12 has no `route`). en_US.UTF-8 is
# generated, as cloud-init's default locale needs (Debian's locale-gen ignores the locale cloud-init names).
# qemu-guest-agent is the test's channel into the guest (it does not depend on the network under test).
set -euo pipefail
out=$1 release=$2 packages=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/drover-machines-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the Debian mirror this machine's apt already uses (deb822 sources or sources.list)
apt_uris() { { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'; grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}'; } || true; }
mirror=$(apt_uris | grep -v -- '-security' | head -n1 || true)
security=$(apt_uris | grep -- '-security' | head -n1 || true)
[ -n "$mirror" ] || { echo "machines-image: no Debian mirror in this machine's apt sources" >&2; exit 1; }
sources=("deb $mirror $release main" "deb $mirror $release-updates main")
[ -n "$security" ] && sources+=("deb $security $release-security main")

mmdebstrap --variant=minbase --format=directory \
  --include="$(echo "$packages" | tr ' ' ',')" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='echo "/dev/vda / ext4 defaults,errors=remount-ro 0 1" > "$1/etc/fstab"' \
  --customize-hook='printf "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n" > "$1/etc/network/interfaces"' \
  --customize-hook='rm -f "$1/etc/hostname" "$1/etc/machine-id" "$1/var/lib/dbus/machine-id"; touch "$1/etc/machine-id"' \
  --customize-hook='rm -f "$1/etc/apt/sources.list"; rm -rf "$1"/var/lib/apt/lists/*' \
  --customize-hook='echo "datasource_list: [ NoCloud, None ]" > "$1/etc/cloud/cloud.cfg.d/90-drover-test-nocloud.cfg"' \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen"; chroot "$1" locale-gen >/dev/null' \
  --customize-hook='printf "blacklist kvm\nblacklist kvm_amd\nblacklist kvm_intel\n" > "$1/etc/modprobe.d/drover-test-no-kvm.conf"' \
  --customize-hook='for t in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer dpkg-db-backup.timer; do chroot "$1" systemctl mask "$t" >/dev/null 2>&1 || true; done' \
  "$release" "$work/root" "${sources[@]}"

[ ! -e "$work/root/usr/sbin/route" ] && [ ! -e "$work/sbin/route" ] || { echo "machines-image: net-tools crept into the image" >&2; exit 1; }
mkdir -p "$out"
cp "$(readlink -f "$work/root/vmlinuz")" "$out/vmlinuz"
cp "$(readlink -f "$work/root/initrd.img")" "$out/initrd.img"
chroot "$work/root" dpkg-query -W -f '${Package} ${Version}\n' > "$out/packages.txt"
rm -f "$out/rootfs.img"
mke2fs -q -t ext4 -L root -d "$work/root" "$out/rootfs.img" 3G
