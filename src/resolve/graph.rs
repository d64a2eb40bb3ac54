//! Cycle finding on a directed graph (petgraph). Knows nothing about RBAC.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// Finds the cycles of a directed graph with nodes `0..n`.
///
/// Returns one cycle per strongly connected component that has one, each as
/// the nodes in edge order, starting from the component's smallest node.
/// The result is sorted, so it does not depend on edge order.
pub fn cycles(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    let nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
    for &(a, b) in edges {
        if let (Some(&na), Some(&nb)) = (nodes.get(a), nodes.get(b)) {
            graph.add_edge(na, nb, ());
        }
    }
    let mut found = Vec::new();
    // Kosaraju's algorithm, because petgraph's Tarjan recurses once per node
    // of a path and overflows the stack on long include chains.
    for scc in kosaraju_scc(&graph) {
        let Some(&start) = scc.iter().min() else {
            continue;
        };
        let cyclic = scc.len() > 1 || graph.contains_edge(start, start);
        if !cyclic {
            continue;
        }
        if let Some(path) = path_back_to(&graph, start, &scc) {
            found.push(path.into_iter().map(NodeIndex::index).collect());
        }
    }
    found.sort();
    found
}

/// A shortest path from `start` back to itself inside the component.
fn path_back_to(
    graph: &DiGraph<(), ()>,
    start: NodeIndex,
    scc: &[NodeIndex],
) -> Option<Vec<NodeIndex>> {
    use std::collections::{HashMap, HashSet, VecDeque};
    let members: HashSet<NodeIndex> = scc.iter().copied().collect();
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut succ: Vec<NodeIndex> = graph
            .neighbors(node)
            .filter(|m| members.contains(m))
            .collect();
        succ.sort();
        for next in succ {
            if next == start {
                let mut path = vec![node];
                let mut cur = node;
                while cur != start {
                    cur = *parent.get(&cur)?;
                    path.push(cur);
                }
                path.reverse();
                return Some(path);
            }
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(next) {
                e.insert(node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Nodes in an order where every edge's target comes before its source
/// (dependencies first); `None` when the graph has a cycle.
pub fn dependencies_first(n: usize, edges: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    let nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
    for &(a, b) in edges {
        if let (Some(&na), Some(&nb)) = (nodes.get(a), nodes.get(b)) {
            graph.add_edge(na, nb, ());
        }
    }
    let order = petgraph::algo::toposort(&graph, None).ok()?;
    Some(order.into_iter().rev().map(NodeIndex::index).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_loop() {
        assert_eq!(cycles(1, &[(0, 0)]), vec![vec![0]]);
    }

    #[test]
    fn two_node_cycle() {
        assert_eq!(cycles(2, &[(1, 0), (0, 1)]), vec![vec![0, 1]]);
    }

    #[test]
    fn three_node_cycle_is_named_in_edge_order() {
        assert_eq!(cycles(3, &[(0, 2), (2, 1), (1, 0)]), vec![vec![0, 2, 1]]);
    }

    #[test]
    fn diamond_has_no_cycle() {
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
        assert!(cycles(4, &edges).is_empty());
        let order = dependencies_first(4, &edges).unwrap_or_default();
        let pos = |n| order.iter().position(|&x| x == n).unwrap_or(usize::MAX);
        assert!(pos(3) < pos(1) && pos(3) < pos(2) && pos(1) < pos(0) && pos(2) < pos(0));
    }

    #[test]
    fn disjoint_cycles_are_each_reported() {
        let edges = [(0, 1), (1, 0), (2, 3), (3, 2), (4, 4)];
        assert_eq!(cycles(5, &edges), vec![vec![0, 1], vec![2, 3], vec![4]]);
    }

    #[test]
    fn long_cycle_does_not_overflow_the_stack() {
        let n = 100_000;
        let edges: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
        let found = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || cycles(n, &edges))
            .map(|h| h.join());
        let Ok(Ok(found)) = found else {
            panic!("cycles() failed on a long cycle");
        };
        assert_eq!(found.len(), 1);
        assert_eq!(found.first().map(Vec::len), Some(n));
        assert_eq!(found.first().and_then(|c| c.get(1)).copied(), Some(1));
    }

    #[test]
    fn cycle_through_a_tail() {
        assert_eq!(
            cycles(4, &[(3, 0), (0, 1), (1, 2), (2, 1)]),
            vec![vec![1, 2]]
        );
        assert_eq!(dependencies_first(3, &[(0, 1), (1, 2), (2, 0)]), None);
    }
}
