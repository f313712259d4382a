//! Intake: the attributes a dropped file brings with it. A folder's naming rule reads
//! attributes out of file names (`SS27_PRT-0412_Floral-Ditsy_Embroidery.psd`), its metadata
//! mapping takes title, description, keywords and creator from the file's XMP/IPTC/EXIF, and
//! the plan shows, per file, the number, name and field values a new image would get, each
//! checked by the folder's field rules (`typed`), before anything is uploaded.

mod jobs;
mod metadata;
mod plan;
mod rules;
mod settings;

use beproduct::FieldSpec;

pub use metadata::{read_metadata, EmbeddedMetadata};
pub use plan::{
    plan_file, plan_name, recheck, CellSource, IntakeCell, IntakeFields, IntakeRow, IntakeValues,
};
pub use rules::{CompiledRule, NamingRule};
pub use settings::{read_settings_file, IntakeSettings, IntakeStore, MetadataMapping};

const NUMBER: &str = "header_number";
const NAME: &str = "header_name";

/// The image number and name: every image has them, they come from the naming rule or the
/// file name (never from metadata), and they are sent as the upload's naming, not as fields.
pub fn is_name_field(field_id: &str) -> bool {
    field_id == NUMBER || field_id == NAME
}

/// The folder's field with this id, in its exact spelling or else in any letter case.
fn find_spec<'a>(specs: &'a [FieldSpec], id: &str) -> Option<&'a FieldSpec> {
    let id = id.trim();
    specs
        .iter()
        .find(|s| s.field_id == id)
        .or_else(|| specs.iter().find(|s| s.field_id.eq_ignore_ascii_case(id)))
}
