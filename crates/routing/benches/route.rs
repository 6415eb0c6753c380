//! Route decisions per second on a generated directory of 10,000 agencies.
//!
//! Run: `flock /tmp/lienthong-cargo.lock cargo bench -p lienthong-routing`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_routing::{
    AgencyCode, AgencySpec, Date, Directory, DirectorySpec, GatewayId, GatewaySpec, ShortcutSpec,
};

const AGENCIES: usize = 10_000;
const QUERIES: usize = 4_096;

/// The national gateway, 34 provinces; even provinces four-level (3 districts × 4 communes),
/// odd ones two-tier (8 communes): 426 gateways. 10,000 agencies spread over all of them,
/// one in ten with an alias; a few province-to-province shortcuts.
fn federation() -> DirectorySpec {
    let mut gateways = Vec::new();
    let mut gw = |id: String, parent: Option<&str>| {
        gateways.push(GatewaySpec {
            url: format!("https://{id}.example:8443"),
            id,
            parent: parent.map(str::to_owned),
            level: None,
        });
    };
    gw("gw-g22".into(), None);
    for p in 1..=34 {
        let prov = format!("gw-h{p:02}");
        gw(prov.clone(), Some("gw-g22"));
        if p % 2 == 0 {
            for d in 1..=3 {
                let dist = format!("{prov}-d{d}");
                gw(dist.clone(), Some(&prov));
                for c in 1..=4 {
                    gw(format!("{dist}-c{c}"), Some(&dist));
                }
            }
        } else {
            for c in 1..=8 {
                gw(format!("{prov}-c{c}"), Some(&prov));
            }
        }
    }
    let agencies = (0..AGENCIES)
        .map(|i| {
            let home = &gateways[i % gateways.len()].id;
            AgencySpec {
                code: format!("{:03}.{:02}.00.H{:02}", i % 1000, i / 1000, 1 + i % 34),
                name: format!("Cơ quan {i}"),
                gateway: home.clone(),
                aliases: if i % 10 == 0 {
                    vec![format!("OLD.{i}")]
                } else {
                    Vec::new()
                },
                ..AgencySpec::default()
            }
        })
        .collect();
    let shortcuts = (1..=10)
        .map(|p| ShortcutSpec {
            from: format!("gw-h{p:02}"),
            to: format!("gw-h{:02}", p + 10),
        })
        .collect();
    DirectorySpec {
        gateways,
        agencies,
        shortcuts,
        ..DirectorySpec::default()
    }
}

/// Pseudo-random (here, recipient, hops) queries: recipients by code, by alias, or unknown.
fn queries(dir: &Directory) -> Vec<(GatewayId, AgencyCode, Vec<GatewayId>)> {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let gws = dir.gateways();
    let ags = dir.agencies();
    (0..QUERIES)
        .map(|_| {
            let here = gws[next() % gws.len()].id.clone();
            let a = &ags[next() % ags.len()];
            let recipient = match next() % 100 {
                0 => AgencyCode::parse("NOT.KNOWN").unwrap(),
                1..=10 if !a.aliases.is_empty() => a.aliases[0].clone(),
                _ => a.code.clone(),
            };
            // A relayed message carries the path so far.
            let hops = dir.path(&dir.root().id, &here).unwrap_or_default();
            let hops = hops[..hops.len().saturating_sub(1)].to_vec();
            (here, recipient, hops)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let spec = federation();
    let dir = Directory::from_spec(&spec).unwrap();
    let today = Date::parse("2025-07-01").unwrap();
    let qs = queries(&dir);

    let mut g = c.benchmark_group("route");
    g.throughput(Throughput::Elements(QUERIES as u64));
    g.bench_function("route_10k_agencies", |b| {
        b.iter(|| {
            for (here, to, hops) in &qs {
                black_box(dir.route(black_box(to), here, hops, today));
            }
        })
    });
    g.bench_function("route_10k_agencies_no_hops", |b| {
        b.iter(|| {
            for (here, to, _) in &qs {
                black_box(dir.route(black_box(to), here, &[], today));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("group");
    let recipients: Vec<AgencyCode> = qs.iter().take(20).map(|q| q.1.clone()).collect();
    g.throughput(Throughput::Elements(recipients.len() as u64));
    g.bench_function("group_by_next_hop_20_recipients", |b| {
        let here = dir.root().id.clone();
        b.iter(|| black_box(dir.group_by_next_hop(&recipients, &here, &[], today)))
    });
    g.finish();

    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("from_spec_10k_agencies", |b| {
        b.iter(|| black_box(Directory::from_spec(&spec).unwrap()))
    });
    let text = toml::to_string(&spec).unwrap();
    g.bench_function("from_toml_10k_agencies", |b| {
        b.iter(|| black_box(Directory::from_toml(&text).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
