//! Screenshots for docs/: the sphere gizmo with the extra leads, and the 18-lead preset, on
//! LUDB record 1 with the Nef-Net engine. Rendered headless with wgpu (Mesa lavapipe is
//! enough); ignored by default because a machine without any adapter cannot render:
//! `cargo test --release --test app_screenshots -- --ignored` rewrites the files.

mod common;
#[allow(dead_code)]
mod harness;

use ecg_panorama::app::{App, GridKind, View, gizmo};
use ecg_panorama::geometry::{EXTRA_LEADS, lead_view, normalise_lead_name};
use ecg_panorama::panorama::EngineKind;
use eframe::egui;
use egui_kittest::Harness;
use harness::{app, settle};
use std::path::{Path, PathBuf};

fn docs(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name)
}

/// The app on LUDB record 1 in a window-sized harness that renders with wgpu.
fn rendering_harness(view: View, dir: &Path) -> Harness<'static, App> {
    let rec = common::data_dir().join("ludb/data/1");
    let mut app = app(Some(rec), view, dir);
    app.state.engine = EngineKind::NefNet;
    // The path as typed from the checkout, not this machine's absolute one.
    app.state.path_field = "../shared/data/ludb/data/1".into();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    settle(&mut h);
    h
}

/// Render the harness and write it as an RGB PNG; the image must not be blank.
fn save(h: &mut Harness<'static, App>, path: &Path) {
    let image = h
        .render()
        .expect("a wgpu adapter (install Mesa's lavapipe)");
    let (w, hgt) = image.dimensions();
    let rgba = image.as_raw();
    let first = &rgba[..4];
    assert!(
        rgba.chunks_exact(4).any(|px| px != first),
        "a blank screenshot"
    );
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, hgt);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&rgb).unwrap();
    writer.finish().unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
#[ignore = "needs a wgpu adapter; rewrites docs/extra-leads-gizmo.png and docs/preset-18-lead.png"]
fn screenshots_of_the_extra_leads_and_the_18_lead_preset() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = rendering_harness(View::Panorama, dir.path());
    {
        let s = &mut h.state_mut().state;
        s.extra_leads = true;
        // Seen from the feet, tilted a little toward the front: every lead of V6's horizontal
        // plane, right-sided and posterior alike, faces the viewer.
        s.rotation = glam::Quat::from_rotation_x(-(std::f32::consts::FRAC_PI_2 - 0.06));
        s.viewpoint = lead_view(&normalise_lead_name("V8"), false)
            .unwrap()
            .viewpoint;
    }
    settle(&mut h);
    assert_eq!(h.state().state.lead_points().len(), 12 + EXTRA_LEADS.len());
    let s = &h.state().state;
    let gizmo_rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(310.0, 310.0));
    for (name, v, _) in s.lead_points() {
        if EXTRA_LEADS.contains(&name.as_str()) {
            assert!(
                gizmo::screen_pos(gizmo_rect, s.rotation, v).1,
                "{name} faces the viewer"
            );
        }
    }
    save(&mut h, &docs("extra-leads-gizmo.png"));

    let mut h = rendering_harness(View::Grid, dir.path());
    h.state_mut().state.grid = GridKind::Leads18;
    h.state_mut().state.cycle = 3;
    settle(&mut h);
    save(&mut h, &docs("preset-18-lead.png"));
}
