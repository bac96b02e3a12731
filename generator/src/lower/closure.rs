//! Which models are emitted (the transitive closure of what the selected operations reach, built
//! from a queue), and which fields are boxed (those closing a cycle of directly contained structs).

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, pointer};
use crate::ir::*;
use crate::naming::type_name;
use crate::schema::SchemaView;

use super::Lowerer;
use super::types::{is_flags, is_string_enum};

impl<'a> Lowerer<'a> {
    /// The type of a component schema. Structs and enums are named and queued (built
    /// later, iteratively, so that deep reference chains cannot exhaust the stack);
    /// anything else is resolved in place.
    pub(super) fn component_type(&mut self, component: &str) -> TypeRef {
        if let Some(ty) = self.component_types.get(component) {
            return ty.clone();
        }
        let at = pointer("/components/schemas", &[component]);
        let Some(node) = self.input.tree.pointer(&at) else {
            self.errors.push(Diagnostic::new(at, "component schema does not exist"));
            return TypeRef::Json;
        };
        let view = SchemaView::new(node, &at);
        let name = self.component_names.get(component).cloned().unwrap_or_else(|| type_name(component));
        // A named object schema is a struct even without properties (Graph's
        // `ODataErrors.InnerError` is only `additionalProperties`), so the type exists.
        let ty = if is_string_enum(&view) && is_flags(&view) {
            self.queue.push_back(component.to_owned());
            TypeRef::Flags(name)
        } else if is_string_enum(&view) || view.is_object_like() || view.ty() == Some("object") {
            self.queue.push_back(component.to_owned());
            TypeRef::Named(name)
        } else {
            if !self.resolving.insert(component.to_owned()) {
                self.warnings.push(Diagnostic::new(at, "schema is defined only in terms of itself; typed as any JSON"));
                return TypeRef::Json;
            }
            let (ty, _) = self.type_of(view, &name, "");
            self.resolving.remove(component);
            ty
        };
        self.component_types.insert(component.to_owned(), ty.clone());
        ty
    }

    pub(super) fn drain_queue(&mut self) {
        while let Some(component) = self.queue.pop_front() {
            let Some(TypeRef::Named(name) | TypeRef::Flags(name)) = self.component_types.get(&component).cloned()
            else {
                continue;
            };
            if self.models.contains_key(&name) {
                continue;
            }
            let at = pointer("/components/schemas", &[&component]);
            let Some(node) = self.input.tree.pointer(&at) else { continue };
            let view = SchemaView::new(node, &at);
            let model = if is_string_enum(&view) {
                Model::Enum(self.build_enum(view, &name, &component))
            } else {
                // Insert a placeholder first: the struct may refer to itself.
                self.models.insert(
                    name.clone(),
                    Model::Enum(EnumModel {
                        name: name.clone(),
                        origin: String::new(),
                        docs: String::new(),
                        variants: Vec::new(),
                    }),
                );
                Model::Struct(self.build_struct(view, &name, &component, Some(&component)))
            };
            self.models.insert(name, model);
        }
    }

    /// Boxes fields that close a cycle of directly contained structs, and decides which
    /// structs can derive `Default`.
    pub(super) fn finish_models(&mut self) {
        self.link_kinds();
        // A struct contains another directly when a field is `T` or `Option<T>` (not `Vec<T>`).
        let direct: BTreeMap<String, Vec<String>> = self
            .models
            .values()
            .filter_map(|m| match m {
                Model::Struct(s) => {
                    Some((s.name.clone(), s.fields.iter().filter_map(|f| named(&f.ty).map(str::to_owned)).collect()))
                }
                Model::Enum(_) => None,
            })
            .collect();
        // A field closes a cycle exactly when its type reaches back to its struct, that is when
        // both are in one strongly connected component; components are computed once for the
        // whole model instead of one search per field.
        let component = strongly_connected_components(&direct);
        for model in self.models.values_mut() {
            let Model::Struct(s) = model else { continue };
            let own = component.get(&s.name);
            for field in &mut s.fields {
                field.boxed = named(&field.ty).is_some_and(|target| own.is_some() && component.get(target) == own);
            }
        }
        // Least fixpoint: a struct has a default once every required field's type is known
        // to have one. (Starting from "yes" would let a struct that requires itself derive a
        // `Default` that recurses forever.)
        for model in self.models.values_mut() {
            if let Model::Struct(s) = model {
                s.has_default = false;
            }
        }
        loop {
            let snapshot = self.models.clone();
            let mut changed = false;
            for model in self.models.values_mut() {
                if let Model::Struct(s) = model
                    && !s.has_default
                    && s.fields.iter().all(|f| f.optional || f.ty.has_default(&snapshot))
                {
                    s.has_default = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

fn named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(n) => Some(n),
        _ => None,
    }
}

/// The strongly connected component of every node of `graph` (node → its successors), as a
/// number shared by the nodes of one component. Tarjan's algorithm with an explicit stack, so a
/// chain of thousands of structs cannot overflow the thread's stack; linear in nodes plus edges.
/// Successors that are not nodes of the graph (enums, unknown names) are ignored.
fn strongly_connected_components(graph: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let successors: Vec<Vec<usize>> = names
        .iter()
        .map(|n| graph[*n].iter().filter_map(|next| index_of.get(next.as_str()).copied()).collect())
        .collect();
    const UNVISITED: usize = usize::MAX;
    let mut order = vec![UNVISITED; names.len()];
    let mut low = vec![0; names.len()];
    let mut on_stack = vec![false; names.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![UNVISITED; names.len()];
    let mut next_order = 0;
    let mut next_component = 0;
    // Each frame: a node and how many of its successors were already looked at.
    let mut frames: Vec<(usize, usize)> = Vec::new();
    for root in 0..names.len() {
        if order[root] != UNVISITED {
            continue;
        }
        frames.push((root, 0));
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(frame) = frames.last_mut() {
            let node = frame.0;
            if let Some(&next) = successors[node].get(frame.1) {
                frame.1 += 1;
                if order[next] == UNVISITED {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    frames.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    names.into_iter().cloned().zip(component).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn strongly_connected_components_find_cycles_and_only_cycles() {
        let graph = |edges: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            edges.iter().map(|(n, next)| (n.to_string(), next.iter().map(|s| s.to_string()).collect())).collect()
        };
        // a ⇄ b, c → a (not in the cycle), d → d, e → an enum (not a node), f → c.
        let components = strongly_connected_components(&graph(&[
            ("a", &["b"]),
            ("b", &["a", "c"]),
            ("c", &["a"]),
            ("d", &["d"]),
            ("e", &["SomeEnum"]),
            ("f", &["c"]),
        ]));
        assert_eq!(components["a"], components["b"]);
        assert_eq!(components["a"], components["c"], "b → c → a closes a cycle too");
        assert_ne!(components["f"], components["c"]);
        assert_ne!(components["d"], components["e"]);
        assert!(!components.contains_key("SomeEnum"));

        // A chain of 50,000 nodes closing into one cycle: no recursion, so no stack overflow.
        let count = 50_000;
        let chain: BTreeMap<String, Vec<String>> =
            (0..count).map(|i| (format!("n{i}"), vec![format!("n{}", (i + 1) % count)])).collect();
        let components = strongly_connected_components(&chain);
        assert!(components.values().all(|c| *c == components["n0"]));
        let open: BTreeMap<String, Vec<String>> =
            (0..count).map(|i| (format!("n{i}"), vec![format!("n{}", i + 1)])).collect();
        let components = strongly_connected_components(&open);
        assert_eq!(components.values().collect::<BTreeSet<_>>().len(), count, "a chain without a cycle");
    }
}
