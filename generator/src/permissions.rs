//! Microsoft's permission reference (`openapi/permissions.json`, verbatim from
//! microsoftgraph/microsoft-graph-devx-content) and how an OpenAPI operation finds its entry.
//!
//! The reference lists, per permission, `pathSets` of methods and paths, each path with markers
//! (`least=DelegatedWork,Application`, `AlsoRequires=Directory.Read.All`). Its paths are
//! spelled differently from the OpenAPI documents' (lower case, `{id}` for every key, no
//! `microsoft.graph.` namespace, `delta` for `microsoft.graph.delta()`), so both sides are
//! reduced to one [`reference_key`] before they are compared.
//!
//! An operation the reference does not list by its own path takes, in this order, the entry of
//! the path it is the `$ref`, `$value` or `$count` of, or of the path without its type-cast
//! segments (`/groups/{id}/members/microsoft.graph.user` → `/groups/{id}/members`): Graph's API
//! reference documents those under the plain path. No other guess is made: a wrong permission
//! is worse than none, and [`coverage`] reports every operation left without one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::Error;

/// The permission types of the reference, in the order tables show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// `DelegatedWork`: delegated, work or school account.
    DelegatedWork,
    /// `DelegatedPersonal`: delegated, personal Microsoft account.
    DelegatedPersonal,
    /// `Application`.
    Application,
}

impl Scheme {
    fn parse(name: &str) -> Option<Scheme> {
        match name {
            "DelegatedWork" => Some(Scheme::DelegatedWork),
            "DelegatedPersonal" => Some(Scheme::DelegatedPersonal),
            "Application" => Some(Scheme::Application),
            _ => None,
        }
    }
}

/// One permission as it applies to one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// e.g. `Synchronization.ReadWrite.All`.
    pub name: String,
    /// Marked `least=` for this path and permission type.
    pub least: bool,
    /// The reference's `privilegeLevel` of this permission and type (1 is lowest; `u32::MAX`
    /// when the reference gives none).
    pub level: u32,
    /// `AlsoRequires=`: when not empty, it works only together with one of these.
    pub also_requires: Vec<String>,
}

/// The permissions of one operation, each list least privileged first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Permissions {
    /// The reference's `METHOD /key` they are listed for.
    pub listed_for: String,
    /// Why the operation's own path was not used (`None`: it was).
    pub inferred: Option<&'static str>,
    /// Delegated, work or school account.
    pub delegated_work: Vec<Grant>,
    /// Delegated, personal Microsoft account.
    pub delegated_personal: Vec<Grant>,
    /// Application.
    pub application: Vec<Grant>,
}

/// One permission of one path, before it is sorted into a table.
#[derive(Clone, Debug)]
struct Entry {
    scheme: Scheme,
    grant: Grant,
}

/// The reference, indexed by `(METHOD, reference_key(path))`.
#[derive(Clone, Debug, Default)]
pub struct PermissionsTable {
    index: BTreeMap<(String, String), Vec<Entry>>,
}

/// `/permissions/User.Read/pathSets/0` with RFC 6901 escapes.
fn pointer(parts: &[&str]) -> String {
    parts.iter().map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1"))).collect()
}

impl PermissionsTable {
    /// Parses the reference's text; `file` names it in errors, which carry the JSON pointer of
    /// the value at fault.
    pub fn parse(text: &str, file: &str) -> Result<Self, Error> {
        let fail = |at: &[&str], message: String| Error::Config {
            file: file.to_owned(),
            message: format!("{}: {message}", if at.is_empty() { "/".to_owned() } else { pointer(at) }),
        };
        let root: Value = serde_json::from_str(text).map_err(|e| Error::Config {
            file: file.to_owned(),
            message: format!("line {} column {}: {e}", e.line(), e.column()),
        })?;
        let permissions = root
            .get("permissions")
            .and_then(Value::as_object)
            .ok_or_else(|| fail(&[], "expected an object with a \"permissions\" object".to_owned()))?;
        let mut index: BTreeMap<(String, String), Vec<Entry>> = BTreeMap::new();
        for (name, permission) in permissions {
            let at = ["permissions", name.as_str()];
            if !is_permission_name(name) {
                return Err(fail(&at, format!("{name:?} is not a permission name (letters, digits, `.`, `-`, `_`)")));
            }
            let schemes = permission
                .get("schemes")
                .and_then(Value::as_object)
                .ok_or_else(|| fail(&[&at[..], &["schemes"]].concat(), "expected an object".to_owned()))?;
            let mut levels = BTreeMap::new();
            for (scheme_name, scheme) in schemes {
                let here = [&at[..], &["schemes", scheme_name.as_str()]].concat();
                let scheme_kind = Scheme::parse(scheme_name)
                    .ok_or_else(|| fail(&here, format!("unknown permission type {scheme_name:?}")))?;
                // 43 of the reference's schemes have no level; they sort after every known one.
                let level = match scheme.get("privilegeLevel") {
                    None | Some(Value::Null) => u32::MAX,
                    Some(level) => level
                        .as_u64()
                        .map(|l| u32::try_from(l).unwrap_or(u32::MAX))
                        .ok_or_else(|| fail(&here, "expected a numeric \"privilegeLevel\"".to_owned()))?,
                };
                levels.insert(scheme_kind, level);
            }
            let sets = permission
                .get("pathSets")
                .and_then(Value::as_array)
                .ok_or_else(|| fail(&at, "expected a \"pathSets\" array".to_owned()))?;
            for (i, set) in sets.iter().enumerate() {
                let i = i.to_string();
                let here = [&at[..], &["pathSets", i.as_str()]].concat();
                let strings = |key: &str| -> Result<Vec<String>, Error> {
                    let field = [&here[..], &[key]].concat();
                    set.get(key)
                        .and_then(Value::as_array)
                        .ok_or_else(|| fail(&field, "expected an array of strings".to_owned()))?
                        .iter()
                        .enumerate()
                        .map(|(j, v)| {
                            v.as_str().map(str::to_owned).ok_or_else(|| {
                                let j = j.to_string();
                                fail(&[&field[..], &[j.as_str()]].concat(), "expected a string".to_owned())
                            })
                        })
                        .collect()
                };
                let mut scheme_keys = Vec::new();
                for (j, key) in strings("schemeKeys")?.iter().enumerate() {
                    let j = j.to_string();
                    let field = [&here[..], &["schemeKeys", j.as_str()]].concat();
                    let scheme =
                        Scheme::parse(key).ok_or_else(|| fail(&field, format!("unknown permission type {key:?}")))?;
                    let level = *levels
                        .get(&scheme)
                        .ok_or_else(|| fail(&field, format!("{key} is not among this permission's schemes")))?;
                    scheme_keys.push((scheme, level));
                }
                let mut methods = Vec::new();
                for (j, method) in strings("methods")?.iter().enumerate() {
                    let upper = method.to_ascii_uppercase();
                    if !matches!(upper.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
                        let j = j.to_string();
                        return Err(fail(
                            &[&here[..], &["methods", j.as_str()]].concat(),
                            format!("unknown method {method:?}"),
                        ));
                    }
                    methods.push(upper);
                }
                let paths = set
                    .get("paths")
                    .and_then(Value::as_object)
                    .ok_or_else(|| fail(&[&here[..], &["paths"]].concat(), "expected an object".to_owned()))?;
                for (path, markers) in paths {
                    let field = [&here[..], &["paths", path.as_str()]].concat();
                    let markers =
                        markers.as_str().ok_or_else(|| fail(&field, "expected a string of markers".to_owned()))?;
                    let (least, also_requires) = parse_markers(markers).map_err(|m| fail(&field, m))?;
                    if let Some(bad) = also_requires.iter().find(|a| !is_permission_name(a)) {
                        return Err(fail(&field, format!("{bad:?} is not a permission name")));
                    }
                    // A path with a query (`?$filter=...`) is a conditional grant, which no
                    // operation's path can match.
                    if path.contains('?') {
                        continue;
                    }
                    let key = reference_key(path);
                    for method in &methods {
                        let entries = index.entry((method.clone(), key.clone())).or_default();
                        for &(scheme, level) in &scheme_keys {
                            entries.push(Entry {
                                scheme,
                                grant: Grant {
                                    name: name.clone(),
                                    least: least.contains(&scheme),
                                    level,
                                    also_requires: also_requires.clone(),
                                },
                            });
                        }
                    }
                }
            }
        }
        Ok(PermissionsTable { index })
    }

    /// The permissions of `method path` (an OpenAPI path), by its own entry or the fallbacks
    /// of the module docs. `is_type` says whether `microsoft.graph.x` names a schema of the
    /// document, i.e. whether a segment is a type cast.
    pub fn lookup(&self, method: &str, path: &str, is_type: &dyn Fn(&str) -> bool) -> Option<Permissions> {
        let method = method.to_ascii_uppercase();
        let segments: Vec<&str> = path.split('/').collect();
        let last = segments.last().copied().unwrap_or_default();
        let own = reference_key(path);
        let mut candidates = vec![(own, None)];
        let suffix = match last {
            "$ref" => Some("the `$ref` of it"),
            "$value" => Some("the `$value` (raw content) of it"),
            "$count" => Some("the `$count` of it"),
            _ => None,
        };
        let plain: Vec<&str> =
            if suffix.is_some() { segments[..segments.len() - 1].to_vec() } else { segments.clone() };
        if suffix.is_some() {
            candidates.push((reference_key(&plain.join("/")), suffix));
        }
        let uncast: Vec<&str> = plain.iter().copied().filter(|s| !is_type(s)).collect();
        if uncast.len() < plain.len() {
            let why = match suffix {
                Some(_) => "the `$ref`, `$value` or `$count` of a type cast of it",
                None => "a type cast of it",
            };
            candidates.push((reference_key(&uncast.join("/")), Some(why)));
        }
        candidates.into_iter().find_map(|(key, inferred)| {
            let entries = self.index.get(&(method.clone(), key.clone()))?;
            Some(table(format!("{method} {key}"), inferred, entries))
        })
    }
}

/// Permission names go into rustdoc tables and string literals: `A.B-C_d` only.
fn is_permission_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// `least=DelegatedWork,Application;AlsoRequires=Policy.Read.All` → the least-privileged
/// types and the also-required permissions. An empty string marks neither.
fn parse_markers(markers: &str) -> Result<(BTreeSet<Scheme>, Vec<String>), String> {
    let mut least = BTreeSet::new();
    let mut also = Vec::new();
    for part in markers.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, values) = part.split_once('=').ok_or_else(|| format!("unknown marker {part:?}"))?;
        let values = values.split(',').map(str::trim).filter(|v| !v.is_empty());
        match key.trim().to_ascii_lowercase().as_str() {
            "least" => {
                for value in values {
                    least.insert(
                        Scheme::parse(value).ok_or_else(|| format!("unknown permission type {value:?} in {part:?}"))?,
                    );
                }
            }
            "alsorequires" => also.extend(values.map(str::to_owned)),
            _ => return Err(format!("unknown marker {part:?}")),
        }
    }
    Ok((least, also))
}

/// Sorts one path's entries into the three lists: least privileged first, then by
/// `privilegeLevel`, then by name; a permission listed twice for one type is merged.
fn table(listed_for: String, inferred: Option<&'static str>, entries: &[Entry]) -> Permissions {
    let mut out = Permissions { listed_for, inferred, ..Permissions::default() };
    for entry in entries {
        let list = match entry.scheme {
            Scheme::DelegatedWork => &mut out.delegated_work,
            Scheme::DelegatedPersonal => &mut out.delegated_personal,
            Scheme::Application => &mut out.application,
        };
        match list.iter_mut().find(|g| g.name == entry.grant.name) {
            Some(existing) => {
                existing.least |= entry.grant.least;
                for also in &entry.grant.also_requires {
                    if !existing.also_requires.contains(also) {
                        existing.also_requires.push(also.clone());
                    }
                }
            }
            None => list.push(entry.grant.clone()),
        }
    }
    for list in [&mut out.delegated_work, &mut out.delegated_personal, &mut out.application] {
        for grant in list.iter_mut() {
            grant.also_requires.sort();
        }
        list.sort_by(|a, b| (!a.least, a.level, &a.name).cmp(&(!b.least, b.level, &b.name)));
    }
    out
}

/// One spelling for a path of either side: lower case; every key `{id}`; a namespaced segment
/// (`microsoft.graph.security.runHuntingQuery`, `Default.findByKbNumber`) only its last
/// name; a function's empty `()` dropped and its arguments' values `{id}`.
pub fn reference_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let lower = segment.to_ascii_lowercase();
        let (name, args) = match lower.find('(') {
            Some(open) => (&lower[..open], Some(&lower[open..])),
            None => (lower.as_str(), None),
        };
        let name = if name.starts_with("microsoft.graph.") || name.starts_with("default.") {
            name.rsplit('.').next().unwrap_or(name)
        } else {
            name
        };
        out.push_str(&keys_to_id(name));
        match args {
            Some("()") | None => {}
            Some(args) => out.push_str(&keys_to_id(args)),
        }
    }
    out
}

/// `{anything}` and `'{anything}'` → `{id}`.
fn keys_to_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let before = &rest[..open];
        let quoted = before.ends_with('\'') && rest[open + close + 1..].starts_with('\'');
        out.push_str(if quoted { &before[..before.len() - 1] } else { before });
        out.push_str("{id}");
        rest = &rest[open + close + 1 + usize::from(quoted)..];
    }
    out.push_str(rest);
    out
}

/// Which operations found permissions, per document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Operations whose own path is listed.
    pub listed: usize,
    /// Operations that took the entry of the path they are a `$ref`/`$value`/`$count`/cast of.
    pub inferred: usize,
    /// `METHOD /path (operationId)` of every operation without permissions, sorted.
    pub unmatched: Vec<String>,
}

impl Coverage {
    /// All operations counted.
    pub fn total(&self) -> usize {
        self.listed + self.inferred + self.unmatched.len()
    }
}

/// The coverage of the operations of `api` (after [`crate::model`] with a permissions table).
pub fn coverage(api: &crate::ir::Api) -> Coverage {
    let mut out = Coverage::default();
    for op in api.areas.values().flat_map(|area| &area.operations) {
        match &op.docs.permissions {
            Some(p) if p.inferred.is_none() => out.listed += 1,
            Some(_) => out.inferred += 1,
            None => out.unmatched.push(format!("{} {} ({})", op.http_method.as_str(), op.path, op.operation_id)),
        }
    }
    out.unmatched.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = r#"{
      "$schema": "x",
      "permissions": {
        "Synchronization.ReadWrite.All": {
          "schemes": {"DelegatedWork": {"privilegeLevel": 4}, "Application": {"privilegeLevel": 4}},
          "pathSets": [{"schemeKeys": ["DelegatedWork", "Application"], "methods": ["POST"],
            "paths": {"/serviceprincipals/{id}/synchronization/acquireaccesstoken": "least=DelegatedWork"}}]
        },
        "Application.ReadWrite.OwnedBy": {
          "schemes": {"Application": {"privilegeLevel": 3}},
          "pathSets": [{"schemeKeys": ["Application"], "methods": ["POST", "get"],
            "paths": {"/serviceprincipals/{id}/synchronization/acquireaccesstoken": "least=Application",
                      "/groups/{id}/members": "",
                      "/users/delta": "least=Application;AlsoRequires=Directory.Read.All, User.Read.All",
                      "/agents?$filter=id eq '{id}'": "least=Application"}}]
        },
        "Directory.Read.All": {
          "schemes": {"Application": {"privilegeLevel": 2}},
          "pathSets": [{"schemeKeys": ["Application"], "methods": ["GET"],
            "paths": {"/groups/{id}/members": "", "/admin/updates/Default.findByKbNumber(kbNumber={kbNumber})": ""}}]
        }
      }
    }"#;

    fn table() -> PermissionsTable {
        PermissionsTable::parse(REFERENCE, "permissions.json").unwrap()
    }

    fn names(list: &[Grant]) -> Vec<&str> {
        list.iter().map(|g| g.name.as_str()).collect()
    }

    #[test]
    fn openapi_and_reference_spellings_meet_in_one_key() {
        for (openapi, reference) in [
            (
                "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken",
                "/serviceprincipals/{id}/synchronization/acquireaccesstoken",
            ),
            ("/users/microsoft.graph.delta()", "/users/delta"),
            ("/security/microsoft.graph.security.runHuntingQuery", "/security/runhuntingquery"),
            ("/applications(appId='{appId}')", "/applications(appid={value})"),
            (
                "/admin/updates/microsoft.graph.findByKbNumber(kbNumber='{kbNumber}')",
                "/admin/updates/Default.findByKbNumber(kbNumber={kbNumber})",
            ),
            (
                "/reports/microsoft.graph.getTeamsUserActivityCounts(period='{period}')",
                "/reports/getteamsuseractivitycounts(period={value})",
            ),
        ] {
            assert_eq!(reference_key(openapi), reference_key(reference), "{openapi}");
        }
        assert_ne!(reference_key("/users/{id}/messages"), reference_key("/users/{id}/messages/{id}"));
    }

    #[test]
    fn least_privileged_first_then_by_level_then_name() {
        let p = table()
            .lookup(
                "post",
                "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken",
                &|_| false,
            )
            .unwrap();
        assert_eq!(p.listed_for, "POST /serviceprincipals/{id}/synchronization/acquireaccesstoken");
        assert_eq!(p.inferred, None);
        assert_eq!(names(&p.delegated_work), ["Synchronization.ReadWrite.All"]);
        assert!(p.delegated_personal.is_empty());
        assert_eq!(names(&p.application), ["Application.ReadWrite.OwnedBy", "Synchronization.ReadWrite.All"]);
        assert!(p.application[0].least && !p.application[1].least);

        // No least marker: by privilegeLevel (2 before 3).
        let members = table().lookup("GET", "/groups/{group-id}/members", &|_| false).unwrap();
        assert_eq!(names(&members.application), ["Directory.Read.All", "Application.ReadWrite.OwnedBy"]);
    }

    #[test]
    fn also_requires_is_kept_and_conditional_paths_are_skipped() {
        let delta = table().lookup("GET", "/users/microsoft.graph.delta()", &|_| false).unwrap();
        assert_eq!(delta.application[0].also_requires, ["Directory.Read.All", "User.Read.All"]);
        assert_eq!(table().lookup("GET", "/agents", &|_| false), None);
    }

    #[test]
    fn ref_count_value_and_casts_fall_back_to_their_plain_path_and_say_so() {
        let is_type = |s: &str| s == "microsoft.graph.user";
        let t = table();
        for (path, why) in [
            ("/groups/{group-id}/members/$ref", "the `$ref` of it"),
            ("/groups/{group-id}/members/$count", "the `$count` of it"),
            ("/groups/{group-id}/members/microsoft.graph.user", "a type cast of it"),
            (
                "/groups/{group-id}/members/microsoft.graph.user/$count",
                "the `$ref`, `$value` or `$count` of a type cast of it",
            ),
        ] {
            let p = t.lookup("GET", path, &is_type).unwrap_or_else(|| panic!("{path}"));
            assert_eq!((p.listed_for.as_str(), p.inferred), ("GET /groups/{id}/members", Some(why)), "{path}");
        }
        // A segment that is not a type is not dropped, and nothing else is guessed.
        assert_eq!(t.lookup("GET", "/groups/{group-id}/members/microsoft.graph.device", &is_type), None);
        assert_eq!(t.lookup("GET", "/teams/{team-id}/group/members", &is_type), None);
        assert_eq!(t.lookup("DELETE", "/groups/{group-id}/members", &is_type), None);
    }

    #[test]
    fn malformed_reference_names_the_json_pointer_at_fault() {
        let cases = [
            (r#"{"permissions": []}"#, "/: expected an object"),
            (
                r#"{"permissions": {"A.B": {"schemes": {"Robot": {"privilegeLevel": 1}}, "pathSets": []}}}"#,
                "/permissions/A.B/schemes/Robot: unknown permission type \"Robot\"",
            ),
            (
                r#"{"permissions": {"A.B": {"schemes": {"Application": {"privilegeLevel": "high"}}, "pathSets": []}}}"#,
                "/permissions/A.B/schemes/Application: expected a numeric \"privilegeLevel\"",
            ),
            (
                r#"{"permissions": {"A.B": {"schemes": {"Application": {"privilegeLevel": 1}}, "pathSets": [{"schemeKeys": ["DelegatedWork"], "methods": [], "paths": {}}]}}}"#,
                "/permissions/A.B/pathSets/0/schemeKeys/0: DelegatedWork is not among this permission's schemes",
            ),
            (
                r#"{"permissions": {"A.B": {"schemes": {}, "pathSets": [{"schemeKeys": [], "methods": ["FETCH"], "paths": {}}]}}}"#,
                "/permissions/A.B/pathSets/0/methods/0: unknown method \"FETCH\"",
            ),
            (
                r#"{"permissions": {"A.B": {"schemes": {}, "pathSets": [{"schemeKeys": [], "methods": [], "paths": {"/a/b~c": "most=Application"}}]}}}"#,
                "/permissions/A.B/pathSets/0/paths/~1a~1b~0c: unknown marker \"most=Application\"",
            ),
            ("{\"permissions\": {", "line 1 column 17"),
            (r#"{"permissions": {"A|B": {}}}"#, "/permissions/A|B: \"A|B\" is not a permission name"),
            (
                r#"{"permissions": {"A.B": {"schemes": {}, "pathSets": [{"schemeKeys": [], "methods": [], "paths": {"/a": "AlsoRequires=[x](y)"}}]}}}"#,
                "/permissions/A.B/pathSets/0/paths/~1a: \"[x](y)\" is not a permission name",
            ),
        ];
        for (text, expected) in cases {
            let error = PermissionsTable::parse(text, "permissions.json").unwrap_err().to_string();
            assert!(
                error.starts_with("permissions.json: ") && error.contains(expected),
                "{error}\nexpected {expected}"
            );
        }
    }
}
