//! Membership data given by a program: the front end that is not a file.
//! It fills the same raw data as the YAML layout (`raw.rs`) and hands it
//! to the same bind stage (`build.rs`), so the checks and errors are the
//! same.

use super::build;
use super::errors::{DataError, Pos};
use super::raw::{Named, RawBindings, RawGroup, RawMembers, RawResource, RawSetting};
use super::Members;
use crate::diagnostic::{Report, Sources};
use crate::policy::Policy;

/// Membership data given by a program rather than a file: the same data
/// as the YAML layout, the same checks and the same errors when built.
///
/// Every method has a form without positions (`user`, `bind`, ...) and
/// one with them (`user_at`, `bind_at`, ...) for a front end that reads a
/// file of its own; errors about data without a position point at no line.
///
/// A builder is also the cheap way to change data: keep it (or read a
/// file into one with [`MembersBuilder::from_yaml`]), change a binding
/// ([`MembersBuilder::add_role`], [`MembersBuilder::remove_role`],
/// [`MembersBuilder::unbind`], [`MembersBuilder::revoke`]), and get new
/// [`Members`] for the policy with [`MembersBuilder::to_members`], without
/// writing or reading YAML.
///
/// ```
/// use rbacc::MembersBuilder;
/// let policy = rbacc::compile("p.rbac", r#"
///     scope org "Org"
///     permissions on org { org.view "View"  org.edit "Edit" }
///     role viewer on org "Viewer" { grant org.view }
///     role editor on org "Editor" { include viewer  grant org.edit }
/// "#)?;
/// let mut b = MembersBuilder::new();
/// b.user("ana").user("ben");
/// let acme = b.resource("org:acme");
/// b.bind(acme, "ana", ["viewer"]);
/// let members = b.to_members(&policy, "program")?;
/// let authz = rbacc::Authorizer::new(policy.clone(), members)?;
/// assert!(!authz.is_allowed("ana", "org.edit", "org:acme")?);
///
/// // A change: ana becomes an editor, ben a viewer.
/// b.add_role(acme, "ana", "editor").add_role(acme, "ben", "viewer");
/// assert!(b.remove_role(acme, "ana", "viewer"));
/// let authz = rbacc::Authorizer::new(policy.clone(), b.to_members(&policy, "program")?)?;
/// assert!(authz.is_allowed("ana", "org.edit", "org:acme")?);
/// assert!(authz.is_allowed("ben", "org.view", "org:acme")?);
///
/// // The same checks as a file: an unknown role is refused.
/// b.add_role(acme, "ben", "admin");
/// let e = b.to_members(&policy, "program").unwrap_err();
/// assert_eq!(e.kind(), rbacc::DataErrorKind::Unknown);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MembersBuilder {
    raw: RawMembers,
}

/// A resource of a [`MembersBuilder`] (from [`MembersBuilder::resource`]
/// or [`MembersBuilder::find_resource`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ResourceRef(usize);

fn named<'a>(names: impl IntoIterator<Item = &'a str>) -> impl Iterator<Item = (&'a str, Pos)> {
    names.into_iter().map(|n| (n, Pos::default()))
}

impl MembersBuilder {
    /// No data yet.
    pub fn new() -> MembersBuilder {
        MembersBuilder::default()
    }

    /// The data of a membership file, read (not yet checked against a
    /// policy): to change it and build [`Members`] again without reading
    /// the file again. Errors of reading are rendered against the text.
    pub fn from_yaml(name: &str, text: &str) -> Result<MembersBuilder, Report> {
        Members::read(text)
            .map(|raw| MembersBuilder { raw })
            .map_err(|e| {
                let mut sources = Sources::new();
                let file = sources.add(name, text);
                Report {
                    diagnostics: vec![e.to_diagnostic(file, text)],
                    sources,
                }
            })
    }

    /// Sets the edition.
    pub fn edition(&mut self, name: &str) -> &mut Self {
        self.edition_at(name, Pos::default())
    }

    /// Sets the edition, written at `at`.
    pub fn edition_at(&mut self, name: &str, at: Pos) -> &mut Self {
        self.raw.edition = Some((name.to_string(), at));
        self
    }

    /// Adds a user (sign-up order is the order of the calls).
    pub fn user(&mut self, name: &str) -> &mut Self {
        self.user_at(name, Pos::default())
    }

    /// Adds a user, written at `at`.
    pub fn user_at(&mut self, name: &str, at: Pos) -> &mut Self {
        let users = &mut self.raw.users;
        if users.names.insert(name).is_some() {
            users.pos.push(at);
        } else if users.repeated.is_none() {
            users.repeated = Some((name.to_string(), at));
        }
        self
    }

    /// Adds a custom group and its members.
    pub fn group<'a>(
        &mut self,
        name: &str,
        members: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.group_at(name, Pos::default(), named(members))
    }

    /// Adds a custom group written at `at`, and its members with theirs.
    pub fn group_at<'a>(
        &mut self,
        name: &str,
        at: Pos,
        members: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        self.raw.groups.push(RawGroup {
            name: (name.to_string(), at),
            members: members
                .into_iter()
                .map(|(m, p)| (m.to_string(), p))
                .collect(),
        });
        self
    }

    /// Adds a resource, `KIND:PATH`.
    pub fn resource(&mut self, id: &str) -> ResourceRef {
        self.resource_at(id, Pos::default())
    }

    /// Adds a resource written at `at`.
    pub fn resource_at(&mut self, id: &str, at: Pos) -> ResourceRef {
        self.raw.resources.push(RawResource {
            name: (id.to_string(), at),
            ..RawResource::default()
        });
        ResourceRef(self.raw.resources.len() - 1)
    }

    /// A resource added already (the first of that id).
    pub fn find_resource(&self, id: &str) -> Option<ResourceRef> {
        self.raw
            .resources
            .iter()
            .position(|r| r.name.0 == id)
            .map(ResourceRef)
    }

    fn res(&mut self, r: ResourceRef) -> Option<&mut RawResource> {
        self.raw.resources.get_mut(r.0)
    }

    /// Adds a member of a resource (join order is the order of the calls).
    pub fn member(&mut self, r: ResourceRef, user: &str) -> &mut Self {
        self.member_at(r, user, Pos::default())
    }

    /// Adds a member of a resource, written at `at`.
    pub fn member_at(&mut self, r: ResourceRef, user: &str, at: Pos) -> &mut Self {
        if let Some(res) = self.res(r) {
            res.members.push((user.to_string(), at));
        }
        self
    }

    /// Binds a user or `group:NAME` to roles on a resource. A subject gets
    /// all its roles on a resource in one binding: a second `bind` of the
    /// same subject there is refused when built (E0406), like a key
    /// written twice in a file; [`MembersBuilder::add_role`] adds to a
    /// binding.
    pub fn bind<'a>(
        &mut self,
        r: ResourceRef,
        subject: &str,
        roles: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.bind_at(r, subject, Pos::default(), named(roles))
    }

    /// Binds a subject written at `at` to roles written where they are.
    pub fn bind_at<'a>(
        &mut self,
        r: ResourceRef,
        subject: &str,
        at: Pos,
        roles: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            push_binding(&mut res.roles, subject, at, roles);
        }
        self
    }

    /// Grants a user or `group:NAME` permissions on a resource directly
    /// (one grant per subject and resource, as [`MembersBuilder::bind`]).
    pub fn grant<'a>(
        &mut self,
        r: ResourceRef,
        subject: &str,
        perms: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.grant_at(r, subject, Pos::default(), named(perms))
    }

    /// Grants permissions, with positions.
    pub fn grant_at<'a>(
        &mut self,
        r: ResourceRef,
        subject: &str,
        at: Pos,
        perms: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            push_binding(&mut res.grants, subject, at, perms);
        }
        self
    }

    /// Switches a role's configurable grant on or off on a resource.
    pub fn setting(&mut self, r: ResourceRef, role: &str, perm: &str, on: bool) -> &mut Self {
        self.setting_at(r, (role, Pos::default()), (perm, Pos::default()), on)
    }

    /// Switches a configurable grant, with the positions of the role and
    /// the permission.
    pub fn setting_at(
        &mut self,
        r: ResourceRef,
        role: (&str, Pos),
        perm: (&str, Pos),
        on: bool,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            res.settings.push(RawSetting {
                role: (role.0.to_string(), role.1),
                perm: (perm.0.to_string(), perm.1),
                on,
            });
        }
        self
    }

    /// Adds a role to a subject's binding on a resource (a new binding
    /// when the subject has none there). It rewrites that resource's
    /// bindings: meant for changes, not for building data (use
    /// [`MembersBuilder::bind`]).
    pub fn add_role(&mut self, r: ResourceRef, subject: &str, role: &str) -> &mut Self {
        if let Some(res) = self.res(r) {
            let mut names = res.roles.names_of(subject).unwrap_or_default();
            names.push((role.to_string(), Pos::default()));
            if let Some(new) = res.roles.with(subject, Some(&names)) {
                res.roles = new;
            }
        }
        self
    }

    /// Removes a role from a subject's binding on a resource (and the
    /// binding when no role is left). `false` when it was not there.
    pub fn remove_role(&mut self, r: ResourceRef, subject: &str, role: &str) -> bool {
        let Some(res) = self.res(r) else {
            return false;
        };
        remove_name(&mut res.roles, subject, role)
    }

    /// Removes a subject's binding on a resource, all its roles. `false`
    /// when it had none.
    pub fn unbind(&mut self, r: ResourceRef, subject: &str) -> bool {
        let Some(res) = self.res(r) else {
            return false;
        };
        match res.roles.with(subject, None) {
            Some(new) => {
                res.roles = new;
                true
            }
            None => false,
        }
    }

    /// Removes a permission from a subject's direct grant on a resource.
    /// `false` when it was not there.
    pub fn revoke(&mut self, r: ResourceRef, subject: &str, perm: &str) -> bool {
        let Some(res) = self.res(r) else {
            return false;
        };
        remove_name(&mut res.grants, subject, perm)
    }

    /// Checks the data against the policy and builds the index: the same
    /// checks, in the same order, as loading a file.
    #[expect(
        clippy::result_large_err,
        reason = "a data error ends loading at once; it is built once per load"
    )]
    pub fn build(self, policy: &Policy, name: &str) -> Result<Members, DataError> {
        build::build(policy, name, self.raw)
    }

    /// [`MembersBuilder::build`], keeping the builder for later changes.
    #[expect(
        clippy::result_large_err,
        reason = "a data error ends loading at once; it is built once per load"
    )]
    pub fn to_members(&self, policy: &Policy, name: &str) -> Result<Members, DataError> {
        build::build(policy, name, self.raw.clone())
    }
}

fn remove_name(list: &mut RawBindings, subject: &str, name: &str) -> bool {
    let Some(mut names) = list.names_of(subject) else {
        return false;
    };
    let Some(i) = names.iter().position(|(n, _)| n == name) else {
        return false;
    };
    names.remove(i);
    let names: Option<&[Named]> = (!names.is_empty()).then_some(names.as_slice());
    match list.with(subject, names) {
        Some(new) => {
            *list = new;
            true
        }
        None => false,
    }
}

fn push_binding<'a>(
    to: &mut RawBindings,
    subject: &str,
    at: Pos,
    names: impl IntoIterator<Item = (&'a str, Pos)>,
) {
    // (Past 4 GiB of names the rest is dropped; no program gets there
    // through this API without running out of memory first.)
    if to.push_key(subject, at).is_some() {
        for (n, p) in names {
            if to.push_name(n, p).is_none() {
                break;
            }
        }
    }
}
