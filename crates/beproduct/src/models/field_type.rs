//! The field types of the API notes (section 9). What each type means for a form (widget,
//! editability, value encoding, filters) is decided in `field_spec`, not here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    Text,
    Memo,
    ComboBox,
    DropDown,
    MultiSelect,
    TrueFalse,
    InvertedTrueFalse,
    Date,
    DateTime,
    Number,
    Decimal,
    Percent,
    Currency,
    Weight,
    Measure,
    UserLabel,
    LabelText,
    LabelSize,
    LabelMaterial,
    LabelStyleGroup,
    Label3dMaterial,
    Label3dStyle,
    LabelMaterialColor,
    FormulaField,
    Auto,
    CompositeControl,
    PartnerDropDown,
    Users,
    Tags,
    UsersTags,
    ColorDropDown,
    Radio,
    Hidden,
    ColorwayField,
    MultiSelectBOMVariation,
    ImageColor,
    /// Any type this client has no special handling for; the wire name is kept.
    Other(String),
}

const NAMED: [(&str, FieldType); 36] = [
    ("Text", FieldType::Text),
    ("Memo", FieldType::Memo),
    ("ComboBox", FieldType::ComboBox),
    ("DropDown", FieldType::DropDown),
    ("MultiSelect", FieldType::MultiSelect),
    ("TrueFalse", FieldType::TrueFalse),
    ("InvertedTrueFalse", FieldType::InvertedTrueFalse),
    ("Date", FieldType::Date),
    ("DateTime", FieldType::DateTime),
    ("Number", FieldType::Number),
    ("Decimal", FieldType::Decimal),
    ("Percent", FieldType::Percent),
    ("Currency", FieldType::Currency),
    ("Weight", FieldType::Weight),
    ("Measure", FieldType::Measure),
    ("UserLabel", FieldType::UserLabel),
    ("LabelText", FieldType::LabelText),
    ("LabelSize", FieldType::LabelSize),
    ("LabelMaterial", FieldType::LabelMaterial),
    ("LabelStyleGroup", FieldType::LabelStyleGroup),
    ("Label3dMaterial", FieldType::Label3dMaterial),
    ("Label3dStyle", FieldType::Label3dStyle),
    ("LabelMaterialColor", FieldType::LabelMaterialColor),
    ("FormulaField", FieldType::FormulaField),
    ("Auto", FieldType::Auto),
    ("CompositeControl", FieldType::CompositeControl),
    ("PartnerDropDown", FieldType::PartnerDropDown),
    ("Users", FieldType::Users),
    ("Tags", FieldType::Tags),
    ("UsersTags", FieldType::UsersTags),
    ("ColorDropDown", FieldType::ColorDropDown),
    ("Radio", FieldType::Radio),
    ("Hidden", FieldType::Hidden),
    ("ColorwayField", FieldType::ColorwayField),
    (
        "MultiSelectBOMVariation",
        FieldType::MultiSelectBOMVariation,
    ),
    ("ImageColor", FieldType::ImageColor),
];

impl FieldType {
    /// Parses the wire name (case-insensitive); unknown names become `Other`.
    pub fn from_name(name: &str) -> FieldType {
        NAMED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| FieldType::Other(name.to_owned()))
    }

    pub fn name(&self) -> &str {
        match self {
            FieldType::Other(name) => name,
            known => NAMED
                .iter()
                .find(|(_, t)| t == known)
                .map(|(n, _)| *n)
                .unwrap_or_default(),
        }
    }

    /// Types a form must not edit: computed, server-managed, structured values this client
    /// cannot edit safely, and any type it does not know (see `field_spec::Widget::ReadOnly`).
    pub fn is_read_only(&self) -> bool {
        !super::field_spec::Widget::for_type(self).is_editable()
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = Option::<String>::deserialize(d)?.unwrap_or_default();
        Ok(FieldType::from_name(&name))
    }
}
