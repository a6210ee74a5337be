//! Writes items the way rustfmt (default configuration) lays them out, so the generated module
//! passes `rustfmt --check` unchanged and never shows a formatting diff in a consumer's tree.
//!
//! The data only needs three shapes, and rustfmt treats each in one way:
//! - a struct literal whose fields are wider than 18 columns (every one here is) goes one field
//!   per line;
//! - a slice of several elements goes one element per line with a trailing comma; a slice of one
//!   struct literal "overflows" it (`&[Item {` … `}]`); an empty slice is `&[]`;
//! - `pub const NAME: T = VALUE;` stays on one line when it fits in 100 columns, else breaks after
//!   `=` and indents when the value then fits, else stays on one line (a long literal).

/// What a value in the module is built from.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal, already written as Rust source.
    Lit(String),
    /// `Name { field: value, … }`, fields in the order given.
    Struct(&'static str, Vec<(&'static str, Expr)>),
    /// `&[a, b, …]`.
    Slice(Vec<Expr>),
}

const INDENT: usize = 4;
const MAX_WIDTH: usize = 100;

/// `pub {keyword} {name}: {ty} = {value};` and a newline, laid out as rustfmt does.
pub fn item(keyword: &str, name: &str, ty: &str, value: &Expr) -> String {
    let head = format!("pub {keyword} {name}: {ty} =");
    let mut out = String::new();
    if let Expr::Lit(lit) = value {
        let (one_line, next_line) = (head.len() + 1 + lit.len() + 1, INDENT + lit.len() + 1);
        if one_line > MAX_WIDTH && next_line <= MAX_WIDTH {
            return format!("{head}\n{}{lit};\n", " ".repeat(INDENT));
        }
    }
    out.push_str(&head);
    out.push(' ');
    write(value, 0, &mut out);
    out.push_str(";\n");
    out
}

/// Writes `expr` starting mid-line at nesting `depth` (its closing line is indented to `depth`).
fn write(expr: &Expr, depth: usize, out: &mut String) {
    match expr {
        Expr::Lit(lit) => out.push_str(lit),
        Expr::Struct(name, fields) => {
            out.push_str(name);
            out.push_str(" {\n");
            for (field, value) in fields {
                pad(depth + 1, out);
                out.push_str(field);
                out.push_str(": ");
                write(value, depth + 1, out);
                out.push_str(",\n");
            }
            pad(depth, out);
            out.push('}');
        }
        Expr::Slice(items) => match items.as_slice() {
            [] => out.push_str("&[]"),
            [only @ Expr::Struct(..)] => {
                out.push_str("&[");
                write(only, depth, out);
                out.push(']');
            }
            _ => {
                out.push_str("&[\n");
                for item in items {
                    pad(depth + 1, out);
                    write(item, depth + 1, out);
                    out.push_str(",\n");
                }
                pad(depth, out);
                out.push(']');
            }
        },
    }
}

fn pad(depth: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', INDENT * depth));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_struct(name: &str, weight: u32) -> Expr {
        Expr::Struct(
            "LootItem",
            vec![("name", Expr::Lit(format!("{name:?}"))), ("weight", Expr::Lit(weight.to_string()))],
        )
    }

    #[test]
    fn one_element_overflows_several_go_one_per_line() {
        let one = Expr::Slice(vec![item_struct("a", 1)]);
        assert_eq!(
            item("static", "X", "&[LootItem]", &one),
            "pub static X: &[LootItem] = &[LootItem {\n    name: \"a\",\n    weight: 1,\n}];\n"
        );
        let two = Expr::Slice(vec![item_struct("a", 1), item_struct("b", 2)]);
        assert_eq!(
            item("static", "X", "&[LootItem]", &two),
            "pub static X: &[LootItem] = &[\n    LootItem {\n        name: \"a\",\n        weight: 1,\n    },\n    \
             LootItem {\n        name: \"b\",\n        weight: 2,\n    },\n];\n"
        );
        assert_eq!(item("static", "X", "&[LootItem]", &Expr::Slice(vec![])), "pub static X: &[LootItem] = &[];\n");
    }

    #[test]
    fn long_constants_break_after_the_equals_sign_only_when_that_fits() {
        let lit = |n: usize| Expr::Lit(format!("\"{}\"", "x".repeat(n - 2)));
        assert_eq!(item("const", "A", "&str", &lit(79)).lines().count(), 1, "exactly 100 columns");
        assert_eq!(item("const", "A", "&str", &lit(80)).lines().count(), 2);
        assert_eq!(item("const", "VERSION", "&str", &lit(95)).lines().count(), 2, "4 + 95 + 1 = 100");
        assert_eq!(item("const", "VERSION", "&str", &lit(96)).lines().count(), 1, "too long either way");
    }
}
