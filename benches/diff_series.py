# `rbacc diff` as its inputs grow: the series of docs/performance.md.
# Generates the inputs in a scratch directory, runs the CLI on each, and
# prints Markdown tables of user CPU time (best of RUNS runs, from
# getrusage of the children, so other builds on a shared machine count
# less than in wall time) and of the work done.
#   cargo build --release --bin rbacc
#   python3 benches/diff_series.py target/release/rbacc [policy|members|bootstrap|data ...]
# Each series doubles or multiplies its input; linear means the time grows
# by the same factor.
import os, random, resource, subprocess, sys, tempfile

RUNS = 3
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu(cmd):
    """Best user+system CPU seconds of RUNS runs of cmd, and its stdout."""
    best, out = None, ""
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
        out = p.stdout
    return best, out


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def big_policy(roles, edit):
    """N roles in blocks of ten (each includes the one two before it) over
    1,000 permissions; `edit` switches one default on and adds one grant."""
    s = ['policy big "Big"', 'scope org "Org"', 'scope ws "Workspace" in org', "permissions on org {"]
    s += [f'  o.p{p} "P{p}"' for p in range(500)]
    s += ["}", "permissions on ws {"] + [f'  w.p{p} "P{p}"' for p in range(500)] + ["}"]
    for r in range(roles):
        s.append(f'role r{r} on {"org" if r % 2 == 0 else "ws"} "Role {r}" {{')
        if r % 10 >= 2:
            s.append(f"  include r{r - 2}")
        p = (r * 7) % 500
        s.append(f"  grant w.p{p}, w.p{(p + 1) % 500}")
        default = "on" if edit and r == roles // 2 else "off"
        s.append(f"  grant w.p{(p + 2) % 500} configurable default {default}")
        if edit and r == roles // 2 + 2:
            s.append(f"  grant w.p{(p + 3) % 500}")
        s.append("}")
    return "\n".join(s) + "\n"


def workload_policy():
    """The bench workload's policy (benches/src/rbacc_input.rs)."""
    text = open(os.path.join(HERE, "src", "rbacc_input.rs")).read()
    start = text.index('pub const POLICY: &str = r#"') + len('pub const POLICY: &str = r#"')
    return text[start:text.index('"#;', start)]


def workload_members(n):
    """benches/members_series.py's data: organizations of 1,000 users, 50
    workspaces each, 0-2 workspace roles a user."""
    p = subprocess.run([sys.executable, os.path.join(HERE, "members_series.py"), str(n)],
                       capture_output=True, text=True, check=True)
    return p.stdout


def one_org(n):
    """One organization of n members, in the corpus base policy's terms."""
    users = [f"u{u}" for u in range(n)]
    return ("edition: team\nusers:\n" + "".join(f"  - {u}\n" for u in users)
            + "resources:\n  org:acme:\n    members: [" + ", ".join(users) + "]\n")


def table(title, head, rows):
    print(f"\n{title}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


def ms(t):
    return f"{t * 1e3:,.0f} ms"


def policy_series(rbacc, d):
    rows = []
    for roles in [1_250, 2_500, 5_000, 10_000]:
        old = write(d, f"p{roles}.rbac", big_policy(roles, False))
        new = write(d, f"p{roles}_new.rbac", big_policy(roles, True))
        t_check, _ = cpu([rbacc, "check", old])
        t_diff, out = cpu([rbacc, "diff", old, new, "--format", "json"])
        changes = out.count('"kind":')
        rows.append([f"{roles:,}", ms(t_check), ms(t_diff), str(changes)])
    table("policy diff: `rbacc check OLD` and `rbacc diff OLD NEW` (compiles both)",
          ["roles", "check (one compile)", "diff", "changes"], rows)


def members_series(rbacc, d):
    policy = workload_policy()
    old = write(d, "policy.rbac", policy)
    new = write(d, "policy2.rbac", policy.replace(
        "grant workspace.view, workspace.dags.view", "grant workspace.view, workspace.dags.view, workspace.edit"))
    rows = []
    for n in [10_000, 30_000, 100_000]:
        data = write(d, f"m{n}.yaml", workload_members(n))
        t_load, _ = cpu([rbacc, "eval", "--policy", old, "--members", data, "u5", "workspace.view", "workspace:o0/w1"])
        t_diff, out = cpu([rbacc, "diff", old, new, "--members", data])
        decided = out.split(" decided")[0].rsplit(" of ", 1)[-1]
        rows.append([f"{n:,}", ms(t_load), ms(t_diff), decided])
    table("`rbacc diff policy.rbac policy2.rbac --members mN.yaml` (the Workspace Viewer gains workspace.edit)",
          ["users", "load once (`eval`, one query)", "diff (loads twice)", "triples decided"], rows)


def bootstrap_series(rbacc, d):
    base = open(os.path.join(ROOT, "tests", "corpus", "base", "policy.rbac")).read()
    old = write(d, "base.rbac", base)
    new = write(d, "base_boot.rbac", base.replace("bootstrap first 1 user", "bootstrap first 1000000 users"))
    rows = []
    for n in [12_500, 25_000, 50_000, 100_000]:
        data = write(d, f"one{n}.yaml", one_org(n))
        t_load, _ = cpu([rbacc, "eval", "--policy", new, "--members", data, "u5", "org.billing", "org:acme"])
        t_diff, out = cpu([rbacc, "diff", old, new, "--members", data])
        gained = out.split(" (user, permission, resource) gained")[0].rsplit(" ", 1)[-1]
        rows.append([f"{n:,}", ms(t_load), ms(t_diff), gained])
    table("one organization of N members, `bootstrap first 1 user` → `first 1000000 users` (every member explained)",
          ["users", "load once (NEW)", "diff --members", "triples gained"], rows)


def data_series(rbacc, d):
    policy = write(d, "policy.rbac", workload_policy())
    rows = []
    for n in [10_000, 30_000, 100_000]:
        text = workload_members(n)
        old = write(d, f"d{n}.yaml", text)
        # Every viewer made an editor: one binding changed per viewer.
        new = write(d, f"d{n}_new.yaml", text.replace(": workspace_viewer", ": workspace_editor"))
        t_diff, out = cpu([rbacc, "diff", "--policy", policy, "--members", old, new])
        gained = out.split(" (user, permission, resource) gained")[0].rsplit(" ", 1)[-1]
        rows.append([f"{n:,}", ms(t_diff), gained, f"{len(out):,}"])
    table("`rbacc diff --policy policy.rbac --members OLD.yaml NEW.yaml` (every viewer made an editor)",
          ["users", "diff (loads both)", "triples gained", "output characters"], rows)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__ or "usage: diff_series.py RBACC [policy|members|bootstrap|data ...]")
    rbacc = os.path.abspath(sys.argv[1])
    which = sys.argv[2:] or ["policy", "members", "bootstrap", "data"]
    series = {"policy": policy_series, "members": members_series,
              "bootstrap": bootstrap_series, "data": data_series}
    with tempfile.TemporaryDirectory() as d:
        for name in which:
            series[name](rbacc, d)


if __name__ == "__main__":
    main()
