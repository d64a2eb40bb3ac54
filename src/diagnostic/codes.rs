//! The registry of diagnostic codes: stable, documented in `docs/diagnostics.md`.

/// One diagnostic code.
#[derive(Copy, Clone, Debug)]
pub struct CodeInfo {
    /// The stable code, e.g. `E0101`.
    pub code: &'static str,
    /// A short kebab-case name, usable in `lint` settings.
    pub name: &'static str,
    /// One line: what it means.
    pub summary: &'static str,
}

macro_rules! codes {
    ($($code:literal $name:literal $summary:literal;)*) => {
        /// Every code rbacc can report.
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, name: $name, summary: $summary }),*];
    };
}

codes! {
    "E0001" "syntax" "the text does not follow the grammar";
    "E0002" "bad-escape" "unknown escape sequence in a string";
    "E0003" "bad-number" "a number too large";
    "E0004" "too-deep" "blocks nested deeper than the limit";
    "E0005" "too-large" "input larger than the limit";
    "E0006" "not-utf8" "the file is not valid UTF-8";
    "E0101" "unknown-name" "a name that is not declared";
    "E0102" "duplicate" "a name declared twice";
    "E0103" "scope-cycle" "scope kinds that contain each other";
    "E0104" "role-cycle" "roles that include or imply each other";
    "E0105" "include-across-scopes" "a role including a role of another scope kind";
    "E0106" "grant-outside-scope" "a grant of a permission outside the role's scope subtree";
    "E0107" "implication-not-down" "an implication that does not point down the scope tree";
    "E0108" "implication-scope-mismatch" "`imply R on every S` where S is not R's scope kind";
    "E0109" "role-without-roles" "a role on a scope kind declared without roles";
    "E0110" "pattern-matches-nothing" "a wildcard that matches no permission";
    "E0111" "mixed-scopes" "a rule listing roles of several scope kinds";
    "E0112" "repeated-role" "a role listed twice in one rule";
    "E0113" "duplicate-rank" "a scope kind ranked twice";
    "E0114" "default-not-in-set" "a default role outside its cardinality rule";
    "E0115" "groups-without-rank" "custom groups on a scope kind with no rank";
    "E0116" "assigns-above" "a permission assigning a role above its scope";
    "E0117" "too-many" "more roles, permissions or rules than the limit";
    "E0118" "bad-rule" "a bootstrap, edition, containment, at-least-one, upgrade bound or lint rule that cannot apply";
    "E0119" "conditional-implication" "a permission implying roles that is grouped or granted configurably";
    "E0120" "chain-too-long" "an include/implication chain longer than the limit";
    "E0201" "exclusive-roles-reached" "a role reaching two mutually exclusive roles";
    "E0202" "only-violated" "a role outside `assert only` holds the permission";
    "E0203" "never-violated" "a role holds a permission it must never hold";
    "E0204" "cardinality-broken" "a role whose implications break a cardinality rule";
    "W0301" "redundant-grant" "a grant the role already has through an include";
    "W0302" "ungranted-permission" "a permission no role grants";
    "W0303" "unreachable-role" "a role nobody can hold";
    "W0304" "identical-roles" "two roles of a scope with identical effective permissions";
    "W0305" "privilege-escalation" "a role that can assign a role holding more than it holds";
    "W0306" "empty-role" "a role that grants nothing";
    "W0307" "hidden-character-in-comment" "a bidirectional control, invisible or control character in a comment (an error by default)";
    "W0308" "hidden-character-in-string" "a bidirectional control, invisible or control character in a string";
    "D0501" "access-widened" "a change that widens access (`rbacc diff`)";
    "E0401" "members-syntax" "membership YAML that cannot be read";
    "E0402" "members-unknown" "an unknown user, group, role, permission, edition or resource";
    "E0403" "members-wrong-scope" "a binding on a resource of the wrong scope kind";
    "E0404" "members-cardinality" "a cardinality rule broken by the data";
    "E0405" "members-no-parent" "a resource whose parent does not exist";
    "E0406" "members-duplicate-key" "a key written twice";
    "E0407" "members-limit" "membership data past a limit";
    "E0408" "members-edition" "the edition is missing or unknown";
    "E0409" "members-unprintable-name" "a name with control, invisible or bidirectional characters, or spaces at an end";
    "E0410" "members-exclusive" "a user bound to two roles of an `assert exclusive` on one resource";
    "E0411" "members-hidden-comment" "a bidirectional control, invisible or control character in a YAML comment";
    "W0412" "members-look-alike-name" "two names that differ only by Unicode normalisation or are confusable";
    "E0413" "members-at-least-one" "an instance with no holder of a role the policy requires at least one of";
    "E0414" "members-group-above-bound" "a custom group ranking above its scope's upgrade bound";
    "E0601" "policy-mismatch" "membership data loaded against another policy";
    "E0602" "query-unknown-user" "a query naming a user the membership data does not have";
    "E0603" "query-unknown-permission" "a query naming a permission the policy does not declare";
    "E0604" "query-unknown-resource" "a query naming a resource the membership data does not have";
    "E0605" "query-wrong-kind" "a query asking a permission on a resource outside its scope kind";
    "E0606" "query-malformed" "a batch query line that is not a query";
}

/// Looks a code up by code or name.
pub fn lookup(code_or_name: &str) -> Option<&'static CodeInfo> {
    CODES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}
