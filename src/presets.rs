//! The preset policies shipped in the binary.

/// One shipped preset.
#[derive(Copy, Clone, Debug)]
pub struct Preset {
    /// The name used with `--preset`.
    pub name: &'static str,
    /// One line about it.
    pub summary: &'static str,
    /// The policy source.
    pub source: &'static str,
}

/// Every preset, by name.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "airbyte",
        summary:
            "Airbyte: workspace and organization roles, Instance Admin (Self-Managed Enterprise)",
        source: include_str!("../policies/airbyte.rbac"),
    },
    Preset {
        name: "astro",
        summary:
            "Astronomer Astro: Organization and Workspace roles; Deployments follow Workspaces",
        source: include_str!("../policies/astro.rbac"),
    },
    Preset {
        name: "astro-2025",
        summary: "Astronomer Astro as of 2025: five Workspace roles, Deployment Admin, Organization rows added since 2022",
        source: include_str!("../policies/astro-2025.rbac"),
    },
    Preset {
        name: "neosync",
        summary: "Neosync: Account Admin, Job Developer, Job Executor, Job Viewer",
        source: include_str!("../policies/neosync.rbac"),
    },
    Preset {
        name: "tooljet",
        summary: "ToolJet: Admin, Builder (configurable), End User, custom groups, Super Admin",
        source: include_str!("../policies/tooljet.rbac"),
    },
];

/// A preset by name.
pub fn get(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}
