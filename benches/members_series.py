# Membership YAML of the shape benches/src/rbacc_input.rs writes (users in
# organizations of 1,000, 50 workspaces each, 0-2 workspace roles a user),
# without building the bench crate: the CLI series of docs/performance.md.
#   python3 benches/members_series.py USERS > members.yaml
import random, sys
n = int(sys.argv[1]); orgs = max(1, n // 1000); wpo = 50
rnd = random.Random(1)
out = ["users:"] + [f"  - u{u}" for u in range(n)] + ["resources:"]
home = [u % orgs for u in range(n)]
per_org = [[] for _ in range(orgs)]
for u in range(n): per_org[home[u]].append(u)
for o, us in enumerate(per_org):
    out.append(f"  organization:o{o}:\n    roles:")
    for i, u in enumerate(us):
        out.append(f"      u{u}: {'organization_owner' if i < 2 else 'organization_member'}")
ws = [[] for _ in range(orgs * wpo)]
for u in range(n):
    k = rnd.choice([0, 1, 1, 2])
    for w in rnd.sample(range(wpo), k):
        r = rnd.choices(["workspace_viewer", "workspace_editor", "workspace_admin"], [50, 35, 15])[0]
        ws[home[u] * wpo + w].append((u, r))
for w, bs in enumerate(ws):
    out.append(f"  workspace:o{w // wpo}/w{w % wpo}:")
    if not bs: out.append("    roles: {}"); continue
    out.append("    roles:")
    out += [f"      u{u}: {r}" for u, r in bs]
print("\n".join(out))
