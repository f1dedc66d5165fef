//! Open data, first step (C12): a dataset is a published document with a table described by a
//! Frictionless Table Schema (<https://specs.frictionlessdata.io/table-schema/>). This module
//! reads the subset of the specification an agency needs — fields with a name, a type
//! (`string`, `integer`, `number`, `boolean`, `date`, `year`), a title and a description; the
//! constraints `required`, `unique`, `enum`, `minimum`, `maximum`, `minLength`, `maxLength`;
//! a `primaryKey` — parses CSV text (RFC 4180) and checks every row against the schema,
//! reporting every problem of every row at once, as Art. 24's "view and download everything
//! published" is only useful for data that is what its schema says.
//!
//! Pure: text in, values and problems out.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// The largest number of problems listed; a file with more says how many more there are.
pub const PROBLEMS_LISTED_MAX: usize = 500;
/// The largest table accepted, in data rows.
pub const ROWS_MAX: usize = 100_000;
/// The largest number of fields of a schema.
pub const FIELDS_MAX: usize = 200;

/// A field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
    /// A calendar year such as `2025`.
    Year,
}

impl FieldType {
    pub fn parse(code: &str) -> Option<FieldType> {
        Some(match code {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "date" => FieldType::Date,
            "year" => FieldType::Year,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Year => "year",
        }
    }
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaField {
    pub name: String,
    pub title: String,
    pub description: String,
    pub field_type: FieldType,
    pub required: bool,
    pub unique: bool,
    pub allowed: Option<Vec<String>>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

/// A table's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    pub fields: Vec<SchemaField>,
    pub primary_key: Vec<String>,
}

/// A problem of the schema itself: where (`fields[2].type`) and a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    pub path: String,
    pub code: &'static str,
}

/// A problem of the data: the CSV line (1 is the header), the field and a stable code, with
/// the offending value (cut to 100 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub line: usize,
    pub field: String,
    pub code: &'static str,
    pub value: String,
}

/// A table that passed every check: its rows in schema order, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedTable {
    pub rows: Vec<Vec<String>>,
}

/// The outcome of checking a CSV file: the problems listed (at most `PROBLEMS_LISTED_MAX`)
/// and how many there were in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableProblems {
    pub listed: Vec<CellProblem>,
    pub total: usize,
}

fn schema_problem(problems: &mut Vec<SchemaProblem>, path: String, code: &'static str) {
    problems.push(SchemaProblem { path, code });
}

impl TableSchema {
    /// Reads a Table Schema from JSON, reporting every problem at once.
    pub fn parse(json: &str) -> Result<TableSchema, Vec<SchemaProblem>> {
        let mut problems = Vec::new();
        let value: Value = match serde_json::from_str(json) {
            Ok(value) => value,
            Err(_) => {
                schema_problem(&mut problems, String::new(), "schema_not_json");
                return Err(problems);
            }
        };
        let Some(object) = value.as_object() else {
            schema_problem(&mut problems, String::new(), "schema_not_object");
            return Err(problems);
        };
        let Some(raw_fields) = object.get("fields").and_then(Value::as_array) else {
            schema_problem(&mut problems, "fields".into(), "fields_missing");
            return Err(problems);
        };
        if raw_fields.is_empty() {
            schema_problem(&mut problems, "fields".into(), "fields_missing");
        }
        if raw_fields.len() > FIELDS_MAX {
            schema_problem(&mut problems, "fields".into(), "too_many_fields");
        }
        let mut fields = Vec::new();
        for (i, raw) in raw_fields.iter().enumerate() {
            let path = |member: &str| format!("fields[{i}].{member}");
            let Some(raw) = raw.as_object() else {
                schema_problem(&mut problems, format!("fields[{i}]"), "field_not_object");
                continue;
            };
            let name = raw
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or("");
            if name.is_empty() {
                schema_problem(&mut problems, path("name"), "name_missing");
            } else if fields.iter().any(|f: &SchemaField| f.name == name) {
                schema_problem(&mut problems, path("name"), "name_duplicate");
            }
            let field_type = match raw.get("type") {
                None => Some(FieldType::String),
                Some(Value::String(code)) => FieldType::parse(code),
                Some(_) => None,
            };
            if field_type.is_none() {
                schema_problem(&mut problems, path("type"), "type_unsupported");
            }
            let constraints = match raw.get("constraints") {
                None => Map::new(),
                Some(Value::Object(map)) => map.clone(),
                Some(_) => {
                    schema_problem(&mut problems, path("constraints"), "constraints_not_object");
                    Map::new()
                }
            };
            let flag = |problems: &mut Vec<SchemaProblem>, key: &str| -> bool {
                match constraints.get(key) {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        schema_problem(
                            problems,
                            path(&format!("constraints.{key}")),
                            "not_boolean",
                        );
                        false
                    }
                }
            };
            let required = flag(&mut problems, "required");
            let unique = flag(&mut problems, "unique");
            let number = |problems: &mut Vec<SchemaProblem>, key: &str| -> Option<f64> {
                match constraints.get(key) {
                    None => None,
                    Some(Value::Number(n)) => n.as_f64(),
                    Some(_) => {
                        schema_problem(problems, path(&format!("constraints.{key}")), "not_number");
                        None
                    }
                }
            };
            let minimum = number(&mut problems, "minimum");
            let maximum = number(&mut problems, "maximum");
            let length = |problems: &mut Vec<SchemaProblem>, key: &str| -> Option<usize> {
                match constraints.get(key) {
                    None => None,
                    Some(value) => match value.as_u64().and_then(|n| usize::try_from(n).ok()) {
                        Some(n) => Some(n),
                        None => {
                            schema_problem(
                                problems,
                                path(&format!("constraints.{key}")),
                                "not_length",
                            );
                            None
                        }
                    },
                }
            };
            let min_length = length(&mut problems, "minLength");
            let max_length = length(&mut problems, "maxLength");
            let allowed = match constraints.get("enum") {
                None => None,
                Some(Value::Array(values)) if !values.is_empty() => Some(
                    values
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                ),
                Some(_) => {
                    schema_problem(&mut problems, path("constraints.enum"), "enum_invalid");
                    None
                }
            };
            let text = |key: &str| {
                raw.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            if let Some(field_type) = field_type {
                fields.push(SchemaField {
                    name: name.to_string(),
                    title: text("title"),
                    description: text("description"),
                    field_type,
                    required,
                    unique,
                    allowed,
                    minimum,
                    maximum,
                    min_length,
                    max_length,
                });
            }
        }
        let primary_key: Vec<String> = match object.get("primaryKey") {
            None => Vec::new(),
            Some(Value::String(name)) => vec![name.clone()],
            Some(Value::Array(names)) => names
                .iter()
                .map(|n| n.as_str().unwrap_or("").to_string())
                .collect(),
            Some(_) => {
                schema_problem(&mut problems, "primaryKey".into(), "primary_key_invalid");
                Vec::new()
            }
        };
        for name in &primary_key {
            if !raw_fields
                .iter()
                .any(|f| f.get("name").and_then(Value::as_str) == Some(name.as_str()))
            {
                schema_problem(
                    &mut problems,
                    "primaryKey".into(),
                    "primary_key_unknown_field",
                );
            }
        }
        if problems.is_empty() {
            Ok(TableSchema {
                fields,
                primary_key,
            })
        } else {
            Err(problems)
        }
    }

    /// The schema as Table Schema JSON, as published next to the CSV file.
    pub fn to_json(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let mut field = Map::new();
                field.insert("name".into(), Value::String(f.name.clone()));
                field.insert("type".into(), Value::String(f.field_type.code().into()));
                if !f.title.is_empty() {
                    field.insert("title".into(), Value::String(f.title.clone()));
                }
                if !f.description.is_empty() {
                    field.insert("description".into(), Value::String(f.description.clone()));
                }
                let mut constraints = Map::new();
                if f.required {
                    constraints.insert("required".into(), Value::Bool(true));
                }
                if f.unique {
                    constraints.insert("unique".into(), Value::Bool(true));
                }
                if let Some(allowed) = &f.allowed {
                    constraints.insert(
                        "enum".into(),
                        Value::Array(allowed.iter().cloned().map(Value::String).collect()),
                    );
                }
                for (key, value) in [("minimum", f.minimum), ("maximum", f.maximum)] {
                    if let Some(n) = value.and_then(serde_json::Number::from_f64) {
                        constraints.insert(key.into(), Value::Number(n));
                    }
                }
                for (key, value) in [("minLength", f.min_length), ("maxLength", f.max_length)] {
                    if let Some(n) = value {
                        constraints.insert(key.into(), Value::from(n));
                    }
                }
                if !constraints.is_empty() {
                    field.insert("constraints".into(), Value::Object(constraints));
                }
                Value::Object(field)
            })
            .collect();
        let mut schema = Map::new();
        schema.insert("fields".into(), Value::Array(fields));
        if !self.primary_key.is_empty() {
            schema.insert(
                "primaryKey".into(),
                Value::Array(
                    self.primary_key
                        .iter()
                        .cloned()
                        .map(Value::String)
                        .collect(),
                ),
            );
        }
        Value::Object(schema)
    }

    /// Checks a CSV file (UTF-8, RFC 4180, a header row naming the schema's fields in order)
    /// against the schema. Every problem of every row is found; at most
    /// `PROBLEMS_LISTED_MAX` are listed.
    pub fn validate_csv(&self, text: &str) -> Result<ValidatedTable, TableProblems> {
        let mut all = Vec::new();
        let records = match parse_csv(text.strip_prefix('\u{feff}').unwrap_or(text)) {
            Ok(records) => records,
            Err(line) => {
                return Err(TableProblems {
                    listed: vec![CellProblem {
                        line,
                        field: String::new(),
                        code: "csv_unterminated_quote",
                        value: String::new(),
                    }],
                    total: 1,
                });
            }
        };
        let mut records = records.into_iter();
        let header = records.next().unwrap_or_default();
        let expected: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
        let header_trimmed: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        if header_trimmed != expected {
            return Err(TableProblems {
                listed: vec![CellProblem {
                    line: 1,
                    field: String::new(),
                    code: "header_mismatch",
                    value: cut(&header.join(",")),
                }],
                total: 1,
            });
        }
        let mut rows = Vec::new();
        let mut seen: HashMap<(usize, String), usize> = HashMap::new();
        let mut seen_keys: HashMap<Vec<String>, usize> = HashMap::new();
        let key_columns: Vec<usize> = self
            .primary_key
            .iter()
            .filter_map(|k| self.fields.iter().position(|f| &f.name == k))
            .collect();
        for (i, record) in records.enumerate() {
            let line = i + 2;
            if record.len() == 1 && record[0].is_empty() {
                // A blank line (often the last one) is not a row.
                continue;
            }
            if rows.len() >= ROWS_MAX {
                all.push(CellProblem {
                    line,
                    field: String::new(),
                    code: "too_many_rows",
                    value: String::new(),
                });
                break;
            }
            if record.len() != self.fields.len() {
                all.push(CellProblem {
                    line,
                    field: String::new(),
                    code: "row_length",
                    value: record.len().to_string(),
                });
                continue;
            }
            for (column, (field, cell)) in self.fields.iter().zip(&record).enumerate() {
                if let Some(code) = check_cell(field, cell) {
                    all.push(CellProblem {
                        line,
                        field: field.name.clone(),
                        code,
                        value: cut(cell),
                    });
                } else if field.unique
                    && !cell.is_empty()
                    && let Some(first) = seen.insert((column, cell.clone()), line)
                {
                    all.push(CellProblem {
                        line,
                        field: field.name.clone(),
                        code: "unique",
                        value: format!("{} (= line {first})", cut(cell)),
                    });
                }
            }
            if !key_columns.is_empty() {
                let key: Vec<String> = key_columns.iter().map(|c| record[*c].clone()).collect();
                if key.iter().any(String::is_empty) {
                    all.push(CellProblem {
                        line,
                        field: self.primary_key.join(","),
                        code: "primary_key_missing",
                        value: String::new(),
                    });
                } else if let Some(first) = seen_keys.insert(key.clone(), line) {
                    all.push(CellProblem {
                        line,
                        field: self.primary_key.join(","),
                        code: "primary_key_duplicate",
                        value: format!("{} (= line {first})", cut(&key.join(","))),
                    });
                }
            }
            rows.push(record);
        }
        if all.is_empty() {
            Ok(ValidatedTable { rows })
        } else {
            let total = all.len();
            all.truncate(PROBLEMS_LISTED_MAX);
            Err(TableProblems { listed: all, total })
        }
    }

    /// One validated row as a JSON object of typed values (`null` for an empty cell).
    pub fn typed_row(&self, row: &[String]) -> Value {
        let mut object = Map::new();
        for (field, cell) in self.fields.iter().zip(row) {
            object.insert(field.name.clone(), typed_value(field.field_type, cell));
        }
        Value::Object(object)
    }
}

fn cut(text: &str) -> String {
    text.chars().take(100).collect()
}

fn typed_value(field_type: FieldType, cell: &str) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    match field_type {
        FieldType::Integer | FieldType::Year => cell
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(cell.to_string())),
        FieldType::Number => cell
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(cell.to_string())),
        FieldType::Boolean => match parse_boolean(cell) {
            Some(b) => Value::Bool(b),
            None => Value::String(cell.to_string()),
        },
        FieldType::String | FieldType::Date => Value::String(cell.to_string()),
    }
}

fn parse_boolean(cell: &str) -> Option<bool> {
    match cell.trim() {
        "true" | "True" | "TRUE" | "1" | "是" => Some(true),
        "false" | "False" | "FALSE" | "0" | "否" => Some(false),
        _ => None,
    }
}

/// The first problem of one cell, or `None`.
fn check_cell(field: &SchemaField, cell: &str) -> Option<&'static str> {
    if cell.is_empty() {
        return field.required.then_some("required");
    }
    let number = match field.field_type {
        FieldType::String => None,
        FieldType::Integer => match cell.trim().parse::<i64>() {
            Ok(n) => Some(n as f64),
            Err(_) => return Some("not_integer"),
        },
        FieldType::Number => match cell.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => return Some("not_number"),
        },
        FieldType::Year => match cell.trim().parse::<i64>() {
            Ok(n) if (1000..=9999).contains(&n) => Some(n as f64),
            _ => return Some("not_year"),
        },
        FieldType::Boolean => {
            if parse_boolean(cell).is_none() {
                return Some("not_boolean");
            }
            None
        }
        FieldType::Date => {
            if crate::calendar::parse_iso_date(cell.trim()).is_err() {
                return Some("not_date");
            }
            None
        }
    };
    if let Some(n) = number {
        if field.minimum.is_some_and(|min| n < min) {
            return Some("below_minimum");
        }
        if field.maximum.is_some_and(|max| n > max) {
            return Some("above_maximum");
        }
    }
    let length = cell.chars().count();
    if field.min_length.is_some_and(|min| length < min) {
        return Some("too_short");
    }
    if field.max_length.is_some_and(|max| length > max) {
        return Some("too_long");
    }
    if let Some(allowed) = &field.allowed
        && !allowed.iter().any(|a| a == cell)
    {
        return Some("not_allowed");
    }
    None
}

/// Parses CSV text (RFC 4180: commas, double quotes doubled inside quoted fields, CRLF or LF
/// line ends). Returns the records, or the line on which a quoted field never ends.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut in_quotes = false;
    let mut quote_line = 1usize;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                quote_line = line;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
                any = false;
            }
            other => field.push(other),
        }
    }
    if in_quotes {
        return Err(quote_line);
    }
    if any || !record.is_empty() || !field.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// Writes rows as CSV (RFC 4180, CRLF, fields quoted only when they must be).
pub fn write_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for record in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let line: Vec<String> = record
            .iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.clone()
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{
        "fields": [
            {"name": "code", "type": "string", "title": "编号",
             "constraints": {"required": true, "unique": true, "maxLength": 8}},
            {"name": "district", "type": "string", "constraints": {"enum": ["东区", "西区"]}},
            {"name": "spaces", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "fee", "type": "number"},
            {"name": "opened", "type": "date"},
            {"name": "free", "type": "boolean"}
        ],
        "primaryKey": ["code"]
    }"#;

    #[test]
    fn a_valid_table_passes_and_values_are_typed() {
        let schema = TableSchema::parse(SCHEMA).expect("schema");
        let csv = "code,district,spaces,fee,opened,free\r\nP001,东区,120,3.5,2025-06-01,否\r\n\"P,2\",西区,0,,2024-01-31,true\r\n";
        let table = schema.validate_csv(csv).expect("valid");
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1][0], "P,2");
        let row = schema.typed_row(&table.rows[0]);
        assert_eq!(row["spaces"], 120);
        assert_eq!(row["fee"], 3.5);
        assert_eq!(row["free"], false);
        assert_eq!(row["opened"], "2025-06-01");
        assert_eq!(schema.typed_row(&table.rows[1])["fee"], Value::Null);
        // The schema round-trips through its JSON form.
        let again = TableSchema::parse(&schema.to_json().to_string()).expect("again");
        assert_eq!(again, schema);
    }

    #[test]
    fn every_problem_of_every_row_is_reported() {
        let schema = TableSchema::parse(SCHEMA).expect("schema");
        let csv = "code,district,spaces,fee,opened,free\n\
                   P001,南区,-1,abc,2025-02-30,maybe\n\
                   P001,东区,5,1,2025-01-01,1\n\
                   ,东区,5,1,2025-01-01,1\n\
                   P004,东区\n\
                   P000000009,东区,5,1,2025-01-01,1\n";
        let problems = schema.validate_csv(csv).expect_err("invalid");
        let found: Vec<(usize, &str, &str)> = problems
            .listed
            .iter()
            .map(|p| (p.line, p.field.as_str(), p.code))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "district", "not_allowed"),
                (2, "spaces", "below_minimum"),
                (2, "fee", "not_number"),
                (2, "opened", "not_date"),
                (2, "free", "not_boolean"),
                (3, "code", "unique"),
                (3, "code", "primary_key_duplicate"),
                (4, "code", "required"),
                (4, "code", "primary_key_missing"),
                (5, "", "row_length"),
                (6, "code", "too_long"),
            ]
        );
        assert_eq!(problems.total, found.len());
    }

    #[test]
    fn the_header_must_name_the_fields_in_order() {
        let schema = TableSchema::parse(SCHEMA).expect("schema");
        let problems = schema
            .validate_csv("district,code,spaces,fee,opened,free\n")
            .expect_err("header");
        assert_eq!(problems.listed[0].code, "header_mismatch");
        let unterminated = schema
            .validate_csv("code,district,spaces,fee,opened,free\n\"P1,东区\n")
            .expect_err("quote");
        assert_eq!(
            (unterminated.listed[0].line, unterminated.listed[0].code),
            (2, "csv_unterminated_quote")
        );
    }

    #[test]
    fn schema_problems_are_all_reported() {
        let problems = TableSchema::parse(
            r#"{"fields": [{"type": "integer"}, {"name": "a", "type": "geopoint"},
                {"name": "b", "constraints": {"required": "yes", "minimum": "x"}}],
                "primaryKey": ["zz"]}"#,
        )
        .expect_err("invalid");
        let codes: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("fields[0].name", "name_missing"),
                ("fields[1].type", "type_unsupported"),
                ("fields[2].constraints.required", "not_boolean"),
                ("fields[2].constraints.minimum", "not_number"),
                ("primaryKey", "primary_key_unknown_field"),
            ]
        );
        assert_eq!(
            TableSchema::parse("not json").expect_err("json")[0].code,
            "schema_not_json"
        );
        assert_eq!(
            TableSchema::parse("{}").expect_err("fields")[0].code,
            "fields_missing"
        );
    }

    #[test]
    fn csv_written_reads_back_the_same() {
        let header = vec!["a".to_string(), "b".to_string()];
        let rows = vec![
            vec!["x, y".to_string(), "say \"hi\"".to_string()],
            vec!["多行\n文本".to_string(), String::new()],
        ];
        let text = write_csv(&header, &rows);
        let parsed = parse_csv(&text).expect("parse");
        assert_eq!(parsed[0], header);
        assert_eq!(&parsed[1..], rows.as_slice());
    }
}
