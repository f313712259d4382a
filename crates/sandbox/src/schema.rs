//! Folder schemas: the field definitions every header is validated and rendered against.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub code: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldDef {
    pub id: String,
    pub name: String,
    /// BeProduct field type name: Text, Memo, DropDown, MultiSelect, TrueFalse, Date, Number, Decimal, UserLabel.
    pub field_type: String,
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
}

impl FieldDef {
    pub fn new(id: &str, name: &str, field_type: &str, required: bool) -> Self {
        FieldDef {
            id: id.into(),
            name: name.into(),
            field_type: field_type.into(),
            required,
            choices: Vec::new(),
        }
    }

    pub fn with_choices(mut self, values: &[(&str, &str)]) -> Self {
        self.choices = values
            .iter()
            .map(|(code, value)| Choice {
                id: uuid::Uuid::new_v4().to_string(),
                code: (*code).into(),
                value: (*value).into(),
            })
            .collect();
        self
    }

    /// Fields the server fills itself; values sent for them on create/update are ignored.
    pub fn is_read_only(&self) -> bool {
        self.field_type == "UserLabel" || self.id == "version"
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.field_type.as_str(), "Number" | "Decimal")
    }

    pub fn is_date(&self) -> bool {
        matches!(self.field_type.as_str(), "Date" | "DateTime")
    }

    /// The `GET Image/FolderSchema` shape of this field.
    pub fn to_wire(&self) -> Value {
        let mut properties = json!({});
        if !self.choices.is_empty() {
            properties["Choices"] = serde_json::to_value(&self.choices).unwrap_or(Value::Null);
            properties["SortAlphabetically"] = json!(false);
        }
        if self.is_read_only() {
            properties["ReadOnly"] = json!(true);
        }
        json!({
            "fieldId": self.id,
            "fieldName": self.name,
            "fieldType": self.field_type,
            "required": self.required,
            "active": true,
            "properties": properties,
        })
    }
}

/// The system fields every Image folder has, in display order.
pub fn system_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::new("header_number", "Image Number", "Text", true),
        FieldDef::new("header_name", "Image Name", "Text", true),
        FieldDef::new("version", "Version", "Text", true),
        FieldDef::new("active", "Active", "TrueFalse", false),
        FieldDef::new("created_by", "Created", "UserLabel", false),
        FieldDef::new("modified_by", "Modified", "UserLabel", false),
    ]
}

/// A folder definition used by the seeders.
pub struct FolderDef {
    pub name: &'static str,
    pub description: &'static str,
    pub active: bool,
    pub fields: Vec<FieldDef>,
}

const SEASONS: &[(&str, &str)] = &[
    ("SP", "Spring"),
    ("SU", "Summer"),
    ("FA", "Fall"),
    ("HO", "Holiday"),
];
const COLORS: &[(&str, &str)] = &[
    ("RED", "Red"),
    ("BLU", "Blue"),
    ("GRN", "Green"),
    ("YEL", "Yellow"),
    ("PNK", "Pink"),
    ("ORG", "Orange"),
    ("BLK", "Black"),
    ("WHT", "White"),
];

/// The demo tenant's Image folders and their schemas.
pub fn demo_folders() -> Vec<FolderDef> {
    let with_system = |extra: Vec<FieldDef>| {
        let mut fields = system_fields();
        fields.extend(extra);
        fields
    };
    vec![
        FolderDef {
            name: "Prints",
            description: "All-over and placement print artwork",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("artwork_type", "Artwork Type", "DropDown", false).with_choices(&[
                    ("PRT", "Print"),
                    ("PAT", "Pattern"),
                    ("EMB", "Embroidery"),
                    ("GRA", "Graphic"),
                ]),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
                FieldDef::new("colors", "Colors", "MultiSelect", false).with_choices(COLORS),
                FieldDef::new("repeat", "Seamless Repeat", "TrueFalse", false),
                FieldDef::new("designer", "Designer", "Text", false),
                FieldDef::new("due_date", "Due Date", "Date", false),
                FieldDef::new("width_px", "Width (px)", "Number", false),
                FieldDef::new("print_scale", "Print Scale", "Decimal", false),
            ]),
        },
        FolderDef {
            name: "Graphics",
            description: "Logos, placement graphics and trims",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("placement", "Placement", "DropDown", false).with_choices(&[
                    ("CH", "Chest"),
                    ("BK", "Back"),
                    ("SL", "Sleeve"),
                    ("AO", "All-over"),
                ]),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
                FieldDef::new("colors", "Colors", "MultiSelect", false).with_choices(COLORS),
                FieldDef::new("licensed", "Licensed", "TrueFalse", false),
                FieldDef::new("designer", "Designer", "Text", false),
                FieldDef::new("width_px", "Width (px)", "Number", false),
            ]),
        },
        FolderDef {
            name: "Photography",
            description: "Product and campaign photography",
            active: true,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("photographer", "Photographer", "Text", false),
                FieldDef::new("shoot_date", "Shoot Date", "Date", false),
                FieldDef::new("usage", "Usage", "MultiSelect", false).with_choices(&[
                    ("WEB", "Web"),
                    ("CAT", "Catalog"),
                    ("SOC", "Social"),
                    ("ADS", "Print Ad"),
                ]),
                FieldDef::new("model_release", "Model Release", "TrueFalse", false),
                FieldDef::new("exposure", "Exposure (EV)", "Decimal", false),
            ]),
        },
        FolderDef {
            name: "Archive",
            description: "Retired images kept for reference",
            active: false,
            fields: with_system(vec![
                FieldDef::new("description", "Description", "Memo", false),
                FieldDef::new("season", "Season", "DropDown", false).with_choices(SEASONS),
            ]),
        },
    ]
}
