//! A change to loaded membership data on the large workload (100,000
//! users): a full reload of the YAML text, against the change applied to a
//! kept `MembersBuilder` (one binding removed or added back) and the data
//! built again from it (`cargo bench -p rbacc-bench --bench change`).

use criterion::{criterion_group, criterion_main, Criterion};
use rbacc::{Members, MembersBuilder};
use rbacc_bench::rbacc_input;
use rbacc_bench::workload::{user_name, Params, Workload};
use std::hint::black_box;
use std::time::Duration;

fn change(c: &mut Criterion) {
    let params = Params::large();
    let w = Workload::generate(&params);
    let yaml = rbacc_input::members_yaml(&w);
    let policy = rbacc::compile("bench.rbac", rbacc_input::POLICY).expect("the policy compiles");
    let mut g = c.benchmark_group("change");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));

    g.bench_function("full_reload/large", |b| {
        b.iter(|| Members::from_yaml(&policy, "members.yaml", black_box(&yaml)).expect("loads"))
    });

    let mut builder = MembersBuilder::from_yaml("members.yaml", &yaml).expect("reads");
    let &(u, ws, role) = w.ws_bindings.first().expect("a workspace binding");
    let user = user_name(u);
    let res = builder
        .find_resource(&format!("workspace:{}", w.ws_path(ws)))
        .expect("the workspace");
    let mut bound = true;
    g.bench_function("builder_change/large", |b| {
        b.iter(|| {
            // One change per iteration: the binding goes, then comes back.
            if bound {
                builder.unbind(res, &user);
            } else {
                builder.add_role(res, &user, role.name());
            }
            bound = !bound;
            builder.to_members(&policy, "members.yaml").expect("builds")
        })
    });
    g.finish();
}

criterion_group!(benches, change);
criterion_main!(benches);
