//! First-start content: demo folders with schemas, and (for `Seed::Demo`) images with generated artwork.

use std::path::Path;

use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use crate::comments;
use crate::config::Seed;
use crate::error::SandboxError;
use crate::palette::PALETTE;
use crate::people;
use crate::schema::{demo_folders, FolderDef};
use crate::store::{self, FileRow, Folder, ImageRow};
use crate::tags;
use crate::time_fmt::now_ms;

/// Images per demo folder, in `demo_folders()` order.
const DEMO_COUNTS: [usize; 4] = [14, 12, 9, 5];
/// Artwork is drawn small (this crate is unoptimised in debug builds) and scaled up by the
/// image crate, which keeps demo seeding well under a few seconds.
const ART_W: u32 = 160;
const ART_H: u32 = 120;
const ART_SCALE: u32 = 3;

const ADJECTIVES: &[&str] = &[
    "Coral", "Midnight", "Sunlit", "Tidal", "Meadow", "Neon", "Dusty", "Citrus", "Velvet",
    "Arctic", "Ember", "Lagoon", "Saffron", "Orchid", "Slate", "Rosy",
];
const NOUNS: &[&str] = &[
    "Bloom", "Stripe", "Wave", "Grid", "Orbit", "Petal", "Ripple", "Mosaic", "Horizon", "Dots",
    "Prism", "Fern", "Check", "Swirl",
];

/// Free keywords for Tags fields and image tags.
const KEYWORDS: &[&str] = &[
    "summer-drop",
    "bestseller",
    "needs-review",
    "kids",
    "eco",
    "core",
];
/// Two-part fabric contents (second part empty: one fiber only).
const COMPOSITIONS: &[(&str, &str, f64)] = &[
    ("Cotton", "", 100.0),
    ("Cotton", "Elastane", 95.0),
    ("Polyester", "Cotton", 65.0),
    ("Linen", "Viscose", 55.0),
];
/// Thread lines for seeded comments.
const REMARKS: &[&str] = &[
    "Colors look muddy on the strike-off, can we brighten the coral?",
    "Approved for sampling.",
    "Repeat is visible at the seam, please check the tile.",
    "Factory confirmed they can print this at 8 colors.",
    "Scale down 10% for the kids range.",
];

/// An active demo user other than the API user.
fn demo_user(rng: &mut StdRng) -> &'static people::DemoUser {
    let active: Vec<&people::DemoUser> = people::USERS[1..].iter().filter(|u| u.active).collect();
    active[rng.gen_range(0..active.len())]
}

/// Fills an empty database. When folders already exist it only adds demo fields that a data
/// folder seeded by an older sandbox lacks (see `add_missing_demo_fields`).
pub fn seed_if_empty(
    conn: &mut Connection,
    data_dir: &Path,
    seed: Seed,
) -> Result<(), SandboxError> {
    if !store::folders(conn)?.is_empty() {
        return add_missing_demo_fields(conn);
    }
    let defs = demo_folders();
    let tx = conn.transaction()?;
    let mut folders = Vec::new();
    for (position, def) in defs.into_iter().enumerate() {
        let folder = to_folder(def);
        store::insert_folder(&tx, &folder, position as i64)?;
        folders.push(folder);
    }
    if seed == Seed::Demo {
        let started = std::time::Instant::now();
        let mut index = 0u64;
        for (folder, count) in folders.iter().zip(DEMO_COUNTS) {
            for _ in 0..count {
                demo_image(&tx, data_dir, folder, index)?;
                index += 1;
            }
        }
        tracing::info!("seeded {index} demo images in {:?}", started.elapsed());
    }
    tx.commit()?;
    Ok(())
}

/// A data folder kept across upgrades (the app's embedded sandbox) would otherwise never show
/// the field types added to the demo tenant later. Fields are only appended, by id, to the
/// folder of the same name: existing fields, values and images stay as they are.
fn add_missing_demo_fields(conn: &mut Connection) -> Result<(), SandboxError> {
    let tx = conn.transaction()?;
    for def in demo_folders() {
        for folder in store::folders(&tx)?
            .into_iter()
            .filter(|f| f.name == def.name)
        {
            let missing: Vec<_> = def
                .fields
                .iter()
                .filter(|d| folder.field(&d.id).is_none())
                .cloned()
                .collect();
            if missing.is_empty() {
                continue;
            }
            tracing::info!(
                "adding {} demo fields to folder {}",
                missing.len(),
                folder.name
            );
            let mut fields = folder.fields.clone();
            fields.extend(missing);
            store::set_folder_fields(&tx, &folder.id, &fields)?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn to_folder(def: FolderDef) -> Folder {
    Folder {
        id: uuid::Uuid::new_v4().to_string(),
        name: def.name.into(),
        description: def.description.into(),
        active: def.active,
        fields: def.fields,
    }
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn choice_values(folder: &Folder, field: &str) -> Vec<String> {
    folder
        .field(field)
        .map(|f| f.choices.iter().map(|c| c.value.clone()).collect())
        .unwrap_or_default()
}

/// Plausible values for the folder's own fields.
fn demo_values(rng: &mut StdRng, folder: &Folder, name: &str) -> Map<String, Value> {
    let mut values = Map::new();
    values.insert("header_name".into(), json!(name));
    values.insert(
        "active".into(),
        json!(if rng.gen_bool(0.9) { "Yes" } else { "No" }),
    );
    for def in &folder.fields {
        if def.is_read_only() || def.id.starts_with("header_") || def.id == "active" {
            continue;
        }
        let value = match def.field_type.as_str() {
            "DropDown" => {
                let choices = choice_values(folder, &def.id);
                json!(choices[rng.gen_range(0..choices.len())])
            }
            "MultiSelect" => {
                let choices = choice_values(folder, &def.id);
                let picked: Vec<&String> = choices.iter().filter(|_| rng.gen_bool(0.35)).collect();
                json!(picked)
            }
            "TrueFalse" | "InvertedTrueFalse" => {
                json!(if rng.gen_bool(0.5) { "Yes" } else { "No" })
            }
            "Users" => json!(demo_user(rng).id),
            "UsersTags" => {
                let mut picked: Vec<Value> = Vec::new();
                for _ in 0..rng.gen_range(1..=3) {
                    let u = demo_user(rng);
                    if !picked.iter().any(|p| p["code"] == u.id) {
                        picked.push(json!({"value": u.display_name(), "code": u.id}));
                    }
                }
                Value::Array(picked)
            }
            "PartnerDropDown" => {
                let choice = &def.choices[rng.gen_range(0..def.choices.len())];
                people::find_partner(&choice.code)
                    .map(|p| p.field_value())
                    .unwrap_or(Value::Null)
            }
            "ComboBox" => {
                let choices = choice_values(folder, &def.id);
                if rng.gen_bool(0.8) {
                    json!(choices[rng.gen_range(0..choices.len())])
                } else {
                    // A ComboBox also takes values that are not among its choices.
                    json!(pick(rng, &["Organic Cotton Jersey", "Recycled Poly Mesh"]))
                }
            }
            "Tags" => {
                let picked: Vec<&str> = KEYWORDS
                    .iter()
                    .copied()
                    .filter(|_| rng.gen_bool(0.3))
                    .collect();
                json!(picked)
            }
            "DateTime" => json!(format!(
                "2026-{:02}-{:02}T{:02}:{:02}:00.000Z",
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
                rng.gen_range(7..=19),
                rng.gen_range(0..4) * 15
            )),
            "Percent" => json!(rng.gen_range(1..=19) * 5),
            "Currency" => json!((rng.gen_range(350..=1800) as f64) / 100.0),
            "Measure" => json!((rng.gen_range(40..=130) as f64) / 2.0),
            "ColorDropDown" => PALETTE[rng.gen_range(0..PALETTE.len())].field_value(),
            "CompositeControl" => {
                let (a, b, share) = COMPOSITIONS[rng.gen_range(0..COMPOSITIONS.len())];
                if b.is_empty() {
                    json!([{"code": a, "value": 100.0}])
                } else {
                    json!([{"code": a, "value": share}, {"code": b, "value": 100.0 - share}])
                }
            }
            "Date" => json!(format!(
                "2026-{:02}-{:02}T00:00:00.000Z",
                rng.gen_range(1..=12),
                rng.gen_range(1..=28)
            )),
            "Number" => json!(rng.gen_range(8..=40) * 100),
            "Decimal" => json!((rng.gen_range(5..=40) as f64) / 10.0),
            "Memo" => json!(format!(
                "{name}: generated demo artwork for the sandbox library."
            )),
            _ => json!(pick(
                rng,
                &[
                    "Avery Chen",
                    "Jordan Blake",
                    "Sam Ortiz",
                    "Riley Kim",
                    "Morgan Lee"
                ]
            )),
        };
        values.insert(def.id.clone(), value);
    }
    values
}

fn demo_image(
    conn: &Connection,
    data_dir: &Path,
    folder: &Folder,
    index: u64,
) -> Result<(), SandboxError> {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + index);
    let name = format!("{} {}", pick(&mut rng, ADJECTIVES), pick(&mut rng, NOUNS));
    let values = demo_values(&mut rng, folder, &name);
    let image_id = uuid::Uuid::new_v4().to_string();
    let file = write_artwork(data_dir, &image_id, &name, index)?;
    let number = store::next_header_number(conn)?;
    let mut values = values;
    values.insert("header_number".into(), json!(number));
    // Spread creation times over the last weeks so sorting and date filters have something to do.
    let at = now_ms() - ((40 - index as i64).max(1) * 9 * 3_600_000);
    let image = ImageRow {
        id: image_id,
        folder_id: folder.id.clone(),
        header_number: number,
        version: 2,
        values,
        preview_file: Some(file.id.clone()),
        created_at: at,
        modified_at: at,
        folder_modified_at: at,
        is_deleted: false,
    };
    store::insert_image(conn, &image)?;
    store::insert_file(
        conn,
        &FileRow {
            created_at: at,
            ..file
        },
    )?;
    seed_tags_and_comments(conn, &mut rng, &image, index)
}

/// Every third image gets tags and every fourth a short thread from other users, so the
/// tag list, tag completion and comment threads have something to show.
fn seed_tags_and_comments(
    conn: &Connection,
    rng: &mut StdRng,
    image: &ImageRow,
    index: u64,
) -> Result<(), SandboxError> {
    if index.is_multiple_of(3) {
        let names: Vec<String> = KEYWORDS
            .iter()
            .filter(|_| rng.gen_bool(0.4))
            .map(|k| k.to_string())
            .collect();
        tags::add_to_image(conn, &image.id, &names)?;
    }
    if index.is_multiple_of(4) {
        for n in 0..rng.gen_range(1..=2) {
            let author = demo_user(rng);
            let at = image.created_at + (n + 1) * 3_600_000;
            comments::insert(
                conn,
                &comments::CommentRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    image_id: image.id.clone(),
                    body: pick(rng, REMARKS).to_owned(),
                    author_id: author.id.to_owned(),
                    author_name: author.display_name(),
                    created_at: at,
                    modified_at: at,
                },
            )?;
        }
    }
    Ok(())
}

/// Draws deterministic artwork and stores it as the image's original and preview.
fn write_artwork(
    data_dir: &Path,
    image_id: &str,
    name: &str,
    index: u64,
) -> Result<FileRow, SandboxError> {
    let file_id = uuid::Uuid::new_v4().to_string();
    let dir = data_dir.join("files").join(&file_id);
    std::fs::create_dir_all(&dir).map_err(|e| SandboxError::io(&dir, e))?;
    let rel = format!("files/{file_id}/original.png");
    let path = data_dir.join(&rel);
    crate::processing::save_png(&image::DynamicImage::ImageRgb8(draw_artwork(index)), &path)
        .map_err(|e| SandboxError::io(&path, e))?;
    let size = std::fs::metadata(&path)
        .map(|m| m.len() as i64)
        .unwrap_or(0);
    let slug = name.to_lowercase().replace(' ', "-");
    Ok(FileRow {
        id: file_id,
        image_id: image_id.to_string(),
        file_name: format!("{slug}.png"),
        original_path: rel.clone(),
        preview_path: rel,
        size,
        created_at: now_ms(),
    })
}

fn random_color(rng: &mut StdRng) -> [f32; 3] {
    [
        rng.gen_range(30.0..255.0),
        rng.gen_range(30.0..255.0),
        rng.gen_range(30.0..255.0),
    ]
}

/// A gradient with circles, stripes or a diamond, all chosen from `index`.
pub fn draw_artwork(index: u64) -> RgbImage {
    let mut rng = StdRng::seed_from_u64(0xa57_0000 + index);
    let (from, to) = (random_color(&mut rng), random_color(&mut rng));
    let style = rng.gen_range(0..3);
    let shapes: Vec<(f32, f32, f32, [f32; 3])> = (0..rng.gen_range(3..7))
        .map(|_| {
            (
                rng.gen_range(0.0..ART_W as f32),
                rng.gen_range(0.0..ART_H as f32),
                rng.gen_range(8.0..37.0),
                random_color(&mut rng),
            )
        })
        .collect();
    let stripe_color = random_color(&mut rng);
    let mut img = RgbImage::new(ART_W, ART_H);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let t = (x + y) as f32 / (ART_W + ART_H) as f32;
        let mut c = [0.0f32; 3];
        for ((out, a), b) in c.iter_mut().zip(from).zip(to) {
            *out = a + (b - a) * t;
        }
        let (fx, fy) = (x as f32, y as f32);
        match style {
            0 if ((x / 24) + (y / 24)) % 2 == 0 => blend(&mut c, stripe_color, 0.25),
            1 if (x + 2 * y) % 60 < 18 => blend(&mut c, stripe_color, 0.5),
            2 if (fx - ART_W as f32 / 2.0).abs() / 1.3 + (fy - ART_H as f32 / 2.0).abs()
                < 120.0 =>
            {
                blend(&mut c, stripe_color, 0.6)
            }
            _ => {}
        }
        for (cx, cy, r, color) in &shapes {
            if (fx - cx).powi(2) + (fy - cy).powi(2) < r * r {
                blend(&mut c, *color, 0.7);
            }
        }
        *px = Rgb([c[0] as u8, c[1] as u8, c[2] as u8]);
    }
    image::imageops::resize(
        &img,
        ART_W * ART_SCALE,
        ART_H * ART_SCALE,
        image::imageops::FilterType::Triangle,
    )
}

fn blend(c: &mut [f32; 3], over: [f32; 3], alpha: f32) {
    for (channel, top) in c.iter_mut().zip(over) {
        *channel = *channel * (1.0 - alpha) + top * alpha;
    }
}

/// Test hook: `n` images without files in one transaction.
pub fn bulk_images(conn: &mut Connection, folder_id: &str, n: u64) -> Result<(), SandboxError> {
    let tx = conn.transaction()?;
    let folder = store::folder(&tx, folder_id)?.ok_or_else(|| {
        SandboxError::InvalidInput(format!("there is no Image folder with id {folder_id}"))
    })?;
    let now = now_ms();
    for i in 0..n {
        let number = store::next_header_number(&tx)?;
        let mut values = Map::new();
        values.insert("header_number".into(), json!(number));
        values.insert("header_name".into(), json!(format!("Bulk image {}", i + 1)));
        values.insert("active".into(), json!("Yes"));
        store::insert_image(
            &tx,
            &ImageRow {
                id: uuid::Uuid::new_v4().to_string(),
                folder_id: folder.id.clone(),
                header_number: number,
                version: 1,
                values,
                preview_file: None,
                created_at: now,
                modified_at: now,
                folder_modified_at: now,
                is_deleted: false,
            },
        )?;
    }
    tx.commit()?;
    Ok(())
}
