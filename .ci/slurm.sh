#!/usr/bin/env bash
# A single-node Slurm cluster on this machine for the sweep integration test (crates/spinlearn-cli/
# tests/slurm.rs): `.ci/slurm.sh up` installs Debian's slurm-wlm and munge when missing, writes a
# minimal slurm.conf (this host as controller and only node, its CPUs and memory, no accounting),
# creates a munge key, starts munged, slurmctld and slurmd and waits until the node is idle;
# `.ci/slurm.sh down` stops the daemons it started. Needs root (a CI container).
set -euo pipefail
STATE=/tmp/spinlearn-slurm
cmd=${1:-}
case "$cmd" in
up)
    if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
        echo "== installing slurm-wlm and munge (Debian packages)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq slurm-wlm munge >/dev/null
    fi
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    rm -rf "$STATE"
    mkdir -p "$STATE"/ctld "$STATE"/d "$STATE"/log /etc/slurm
    chown -R slurm:slurm "$STATE" 2>/dev/null || true
    cat >/etc/slurm/slurm.conf <<CONF
ClusterName=spinlearn-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=10
MinJobAge=600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    # munge: a fresh key, owned by the munge user, daemon started as that user.
    mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0700 /etc/munge
    chmod 0400 /etc/munge/munge.key
    chmod 0755 /run/munge
    if ! pgrep -u munge -x munged >/dev/null 2>&1; then
        runuser -u munge -- /usr/sbin/munged
    fi
    munge -n | unmunge >/dev/null
    slurmctld
    slurmd
    for _ in $(seq 1 60); do
        if sinfo -h -N -o '%t' 2>/dev/null | grep -qx idle; then
            sinfo
            exit 0
        fi
        sleep 1
    done
    echo "slurm: the node did not become idle in 60 s" >&2
    sinfo -N -l >&2 || true
    tail -n 20 "$STATE"/log/*.log >&2 || true
    exit 1
    ;;
down)
    for f in "$STATE/slurmd.pid" "$STATE/slurmctld.pid"; do
        if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
    done
    if [ -s /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
    ;;
*)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
