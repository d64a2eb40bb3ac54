//! Deterministic RBAC workload: organizations × workspaces × users.
//!
//! Model (the same in every engine):
//! - every user belongs to one home organization and holds exactly one
//!   organization role there: `organization_owner` (the first
//!   `owners_per_org` users of the organization, in sign-up order) or
//!   `organization_member`;
//! - an Organization Owner holds Workspace Admin in every workspace of its
//!   organization;
//! - users hold 0..=2 workspace roles (viewer / editor / admin, weighted by
//!   the role mix) in distinct workspaces of their home organization;
//! - workspace roles inherit: admin > editor > viewer.

use crate::rng::Rng;

/// Permissions of the workload, in bit order.
pub const PERMS: [&str; 9] = [
    "workspace.view",
    "workspace.dags.view",
    "workspace.edit",
    "workspace.code.push",
    "workspace.admin",
    "workspace.members.update",
    "organization.view",
    "organization.members.update",
    "organization.workspaces.admin",
];
/// Number of workspace permissions (bits `0..WS_PERMS`).
pub const WS_PERMS: usize = 6;
/// Index of the first organization permission.
pub const ORG_PERM0: usize = 6;

/// Workspace roles, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WsRole {
    /// `workspace_viewer`
    Viewer,
    /// `workspace_editor`
    Editor,
    /// `workspace_admin`
    Admin,
}

impl WsRole {
    /// All workspace roles, weakest first.
    pub const ALL: [WsRole; 3] = [WsRole::Viewer, WsRole::Editor, WsRole::Admin];

    /// Policy name.
    pub fn name(self) -> &'static str {
        match self {
            WsRole::Viewer => "workspace_viewer",
            WsRole::Editor => "workspace_editor",
            WsRole::Admin => "workspace_admin",
        }
    }

    /// Effective permission bits (inheritance included).
    pub fn bits(self) -> u16 {
        match self {
            WsRole::Viewer => 0b00_0011,
            WsRole::Editor => 0b00_1111,
            WsRole::Admin => 0b11_1111,
        }
    }

    /// Permissions this role grants itself (without inheritance).
    pub fn own_perms(self) -> [usize; 2] {
        match self {
            WsRole::Viewer => [0, 1],
            WsRole::Editor => [2, 3],
            WsRole::Admin => [4, 5],
        }
    }
}

/// Organization roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgRole {
    /// `organization_member`
    Member,
    /// `organization_owner`
    Owner,
}

impl OrgRole {
    /// Policy name.
    pub fn name(self) -> &'static str {
        match self {
            OrgRole::Member => "organization_member",
            OrgRole::Owner => "organization_owner",
        }
    }

    /// Effective permission bits on the organization itself.
    pub fn bits(self) -> u16 {
        match self {
            OrgRole::Member => 1 << ORG_PERM0,
            OrgRole::Owner => 0b111 << ORG_PERM0,
        }
    }
}

/// Generator parameters.
#[derive(Clone, Debug)]
pub struct Params {
    /// Preset name (for reports).
    pub name: String,
    /// Number of organizations.
    pub orgs: u32,
    /// Workspaces in each organization.
    pub ws_per_org: u32,
    /// Number of users.
    pub users: u32,
    /// The first N users of each organization are owners.
    pub owners_per_org: u32,
    /// Weights of viewer / editor / admin among workspace bindings.
    pub role_mix: [u32; 3],
    /// Seed of the generator.
    pub seed: u64,
}

impl Params {
    /// 10 organizations × 10 workspaces × 1k users (~2k bindings).
    pub fn small() -> Self {
        Params {
            name: "small".into(),
            orgs: 10,
            ws_per_org: 10,
            users: 1_000,
            owners_per_org: 2,
            role_mix: [50, 35, 15],
            seed: 0x5eed_0001,
        }
    }

    /// 100 organizations × 50 workspaces × 100k users (~200k bindings).
    pub fn large() -> Self {
        Params {
            name: "large".into(),
            orgs: 100,
            ws_per_org: 50,
            users: 100_000,
            ..Self::small()
        }
    }

    /// Scaling series: each step is 10× the previous one in organizations,
    /// workspaces, users and bindings; the last step is the large preset.
    pub fn series() -> Vec<Params> {
        [(1u32, 1_000u32), (10, 10_000), (100, 100_000)]
            .iter()
            .map(|&(orgs, users)| Params {
                name: format!("{orgs}x50x{}k", users / 1000),
                orgs,
                ws_per_org: 50,
                users,
                ..Self::small()
            })
            .collect()
    }

    /// Looks up a preset by name.
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "small" => Some(Self::small()),
            "large" => Some(Self::large()),
            _ => Self::series().into_iter().find(|p| p.name == name),
        }
    }

    /// Total number of workspaces.
    pub fn workspaces(&self) -> u32 {
        self.orgs * self.ws_per_org
    }
}

/// A generated workload.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Parameters it was generated from.
    pub params: Params,
    /// Home organization of each user.
    pub user_org: Vec<u32>,
    /// Organization role of each user (in its home organization).
    pub user_org_role: Vec<OrgRole>,
    /// Workspace bindings `(user, workspace, role)`; workspace ids are global
    /// (`org * ws_per_org + j`).
    pub ws_bindings: Vec<(u32, u32, WsRole)>,
    /// Owners of each organization.
    pub org_owners: Vec<Vec<u32>>,
    /// Users of each organization in sign-up order.
    pub org_users: Vec<Vec<u32>>,
}

/// Name of user `u`.
pub fn user_name(u: u32) -> String {
    format!("u{u}")
}

/// Path of organization `o` (`o3`).
pub fn org_path(o: u32) -> String {
    format!("o{o}")
}

impl Workload {
    /// Generates the workload for `params` (deterministic in the seed).
    pub fn generate(params: &Params) -> Self {
        let mut rng = Rng::new(params.seed);
        let p = params;
        let mut user_org = Vec::with_capacity(p.users as usize);
        let mut user_org_role = Vec::with_capacity(p.users as usize);
        let mut org_users: Vec<Vec<u32>> = vec![Vec::new(); p.orgs as usize];
        let mut org_owners: Vec<Vec<u32>> = vec![Vec::new(); p.orgs as usize];
        let mut ws_bindings = Vec::with_capacity(p.users as usize);
        let mix_total: u32 = p.role_mix.iter().sum();
        for u in 0..p.users {
            let o = rng.below(p.orgs as u64) as u32;
            user_org.push(o);
            let role = if (org_users[o as usize].len() as u32) < p.owners_per_org {
                org_owners[o as usize].push(u);
                OrgRole::Owner
            } else {
                OrgRole::Member
            };
            org_users[o as usize].push(u);
            user_org_role.push(role);
            // 0, 1 or 2 workspace bindings (1 on average), distinct workspaces.
            let k = match rng.below(4) {
                0 => 0,
                3 => 2,
                _ => 1,
            }
            .min(p.ws_per_org);
            let first = rng.below(p.ws_per_org as u64) as u32;
            let step = if p.ws_per_org > 1 {
                1 + rng.below(p.ws_per_org as u64 - 1) as u32
            } else {
                0
            };
            for i in 0..k {
                let j = (first + i * step) % p.ws_per_org;
                let mut r = rng.below(mix_total as u64) as u32;
                let mut role = WsRole::Admin;
                for (idx, w) in p.role_mix.iter().enumerate() {
                    if r < *w {
                        role = WsRole::ALL[idx];
                        break;
                    }
                    r -= w;
                }
                ws_bindings.push((u, o * p.ws_per_org + j, role));
            }
        }
        Workload {
            params: p.clone(),
            user_org,
            user_org_role,
            ws_bindings,
            org_owners,
            org_users,
        }
    }

    /// Number of role bindings (organization + workspace).
    pub fn bindings(&self) -> usize {
        self.user_org.len() + self.ws_bindings.len()
    }

    /// Organization of workspace `w`.
    pub fn ws_org(&self, w: u32) -> u32 {
        w / self.params.ws_per_org
    }

    /// Path of workspace `w` (`o3/w7`).
    pub fn ws_path(&self, w: u32) -> String {
        format!(
            "o{}/w{}",
            w / self.params.ws_per_org,
            w % self.params.ws_per_org
        )
    }

    /// The reference decision, straight from the model (slow, obviously right).
    pub fn reference(&self, q: &Query) -> bool {
        let u = q.user as usize;
        let bit = 1u16 << q.perm;
        match q.target {
            Target::Org(o) => {
                self.user_org.get(u) == Some(&o)
                    && self
                        .user_org_role
                        .get(u)
                        .is_some_and(|r| r.bits() & bit != 0)
            }
            Target::Ws(w) => {
                let o = self.ws_org(w);
                if self.user_org.get(u) == Some(&o)
                    && self.user_org_role.get(u) == Some(&OrgRole::Owner)
                    && WsRole::Admin.bits() & bit != 0
                {
                    return true;
                }
                // Bindings are generated in user order: the user's are contiguous.
                let start = self.ws_bindings.partition_point(|b| b.0 < q.user);
                self.ws_bindings
                    .iter()
                    .skip(start)
                    .take_while(|b| b.0 == q.user)
                    .any(|&(_, bw, r)| bw == w && r.bits() & bit != 0)
            }
        }
    }

    /// Generates `n` queries, about a quarter of them allowed: half target a
    /// resource where the user holds a role, half are uniformly random; 10%
    /// are organization queries.
    pub fn queries(&self, n: usize, seed: u64) -> Vec<Query> {
        let p = &self.params;
        let mut rng = Rng::new(seed);
        let mut out = Vec::with_capacity(n);
        let owners: Vec<u32> = self.org_owners.iter().flatten().copied().collect();
        for _ in 0..n {
            let targeted = rng.below(100) < 46;
            if rng.below(10) == 0 {
                let perm = (ORG_PERM0 + rng.below(3) as usize) as u8;
                let user = rng.below(p.users as u64) as u32;
                let org = if targeted {
                    self.user_org[user as usize]
                } else {
                    rng.below(p.orgs as u64) as u32
                };
                out.push(Query {
                    user,
                    perm,
                    target: Target::Org(org),
                });
                continue;
            }
            let perm = rng.below(WS_PERMS as u64) as u8;
            let (user, ws) = if targeted && (rng.below(20) == 0 || self.ws_bindings.is_empty()) {
                let user = owners[rng.below(owners.len() as u64) as usize];
                let org = self.user_org[user as usize];
                (
                    user,
                    org * p.ws_per_org + rng.below(p.ws_per_org as u64) as u32,
                )
            } else if targeted {
                let (u, w, _) = self.ws_bindings[rng.below(self.ws_bindings.len() as u64) as usize];
                (u, w)
            } else {
                (
                    rng.below(p.users as u64) as u32,
                    rng.below(p.workspaces() as u64) as u32,
                )
            };
            out.push(Query {
                user,
                perm,
                target: Target::Ws(ws),
            });
        }
        out
    }
}

/// What a query is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// An organization.
    Org(u32),
    /// A workspace (global id).
    Ws(u32),
}

/// `can user do PERMS[perm] on target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Query {
    /// User id.
    pub user: u32,
    /// Index into [`PERMS`].
    pub perm: u8,
    /// Resource.
    pub target: Target,
}

impl Query {
    /// Permission name.
    pub fn perm_name(&self) -> &'static str {
        PERMS[self.perm as usize]
    }

    /// Resource id in rbacc form (`workspace:o3/w7`, `organization:o3`).
    pub fn resource_id(&self, w: &Workload) -> String {
        match self.target {
            Target::Org(o) => format!("organization:{}", org_path(o)),
            Target::Ws(ws) => format!("workspace:{}", w.ws_path(ws)),
        }
    }
}
