//! The syntax of ARM template expressions: a string value that starts with `[` and ends with
//! `]` is an expression; `[[` at the start escapes a literal `[`
//! (<https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions>).
//! An expression is a function call, a string in single quotes (`''` is a quote), a whole
//! number, or any of these followed by `.property` or `[index]`.

use std::fmt;

/// One parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expr {
    /// `'text'`.
    Str(String),
    /// A whole number.
    Int(i64),
    /// `name(args…)`; the name as written (function names are compared without case).
    Call(String, Vec<Expr>),
    /// `expr.name`.
    Member(Box<Expr>, String),
    /// `expr[index]`.
    Index(Box<Expr>, Box<Expr>),
}

/// An expression that does not parse, with the character offset where it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub at: usize,
    pub problem: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.problem, self.at + 1)
    }
}

/// What a template string holds: a literal, or an expression to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Template<'a> {
    Literal(std::borrow::Cow<'a, str>),
    Expression(&'a str),
}

/// Classifies a string value of a template.
pub(super) fn classify(s: &str) -> Template<'_> {
    if let Some(rest) = s.strip_prefix("[[") {
        return Template::Literal(format!("[{rest}").into());
    }
    match s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => Template::Expression(inner),
        None => Template::Literal(s.into()),
    }
}

/// Parses the text between the brackets.
pub(super) fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser { chars, at: 0 };
    p.skip_ws();
    let e = p.expr(0)?;
    p.skip_ws();
    if p.at < p.chars.len() {
        return Err(p.error("unexpected text after the expression"));
    }
    Ok(e)
}

/// Nesting deeper than this is refused (a template nests a few levels).
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, problem: &str) -> SyntaxError {
        SyntaxError {
            at: self.at,
            problem: problem.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the expression nests too deeply"));
        }
        self.skip_ws();
        let mut e = self.primary(depth)?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some('.') => {
                    self.at += 1;
                    let name = self.ident();
                    if name.is_empty() {
                        return Err(self.error("a property name was expected after `.`"));
                    }
                    e = Expr::Member(Box::new(e), name);
                }
                Some('[') => {
                    self.at += 1;
                    let index = self.expr(depth + 1)?;
                    if !self.eat(']') {
                        return Err(self.error("`]` was expected"));
                    }
                    e = Expr::Index(Box::new(e), Box::new(index));
                }
                _ => return Ok(e),
            }
        }
    }

    fn ident(&mut self) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            self.at += 1;
        }
        self.chars
            .get(start..self.at)
            .map(|c| c.iter().collect())
            .unwrap_or_default()
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, SyntaxError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some(c) if c.is_ascii_digit() || c == '-' => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let mut name = self.ident();
                // A user-defined function: `namespace.name(…)`.
                while self.peek() == Some('.')
                    && self.chars.get(self.at + 1..).is_some_and(is_call_ahead)
                {
                    self.at += 1;
                    name.push('.');
                    name.push_str(&self.ident());
                }
                if !self.eat('(') {
                    return match name.to_ascii_lowercase().as_str() {
                        "true" | "false" | "null" => Ok(Expr::Call(name, Vec::new())),
                        _ => Err(self.error(&format!("`{name}` is not followed by `(`"))),
                    };
                }
                let mut args = Vec::new();
                if !self.eat(')') {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        if self.eat(')') {
                            break;
                        }
                        if !self.eat(',') {
                            return Err(self.error("`,` or `)` was expected"));
                        }
                    }
                }
                Ok(Expr::Call(name, args))
            }
            _ => Err(self.error("a function, a 'string' or a number was expected")),
        }
    }

    fn string(&mut self) -> Result<Expr, SyntaxError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("the string is not closed with `'`")),
                Some('\'') if self.chars.get(self.at + 1) == Some(&'\'') => {
                    out.push('\'');
                    self.at += 2;
                }
                Some('\'') => {
                    self.at += 1;
                    return Ok(Expr::Str(out));
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.at;
        if self.peek() == Some('-') {
            self.at += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text: String = self
            .chars
            .get(start..self.at)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        text.parse()
            .map(Expr::Int)
            .map_err(|_| self.error("a whole number was expected"))
    }
}

/// Whether `rest` (after a `.`) is `name(`: a namespaced function call, not a property.
fn is_call_ahead(rest: &[char]) -> bool {
    let n = rest
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .count();
    n > 0 && rest.get(n) == Some(&'(')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_with_strings_numbers_members_and_indexes_parses() {
        let e = parse("concat(parameters('a')[0].b, 'it''s', -2)").unwrap();
        let Expr::Call(name, args) = e else { panic!() };
        assert_eq!(name, "concat");
        assert_eq!(args[1], Expr::Str("it's".into()));
        assert_eq!(args[2], Expr::Int(-2));
        assert!(matches!(&args[0], Expr::Member(_, m) if m == "b"));
    }

    #[test]
    fn a_double_bracket_is_a_literal_bracket() {
        assert_eq!(classify("[[x]"), Template::Literal("[x]".into()));
        assert_eq!(classify("[x()]"), Template::Expression("x()"));
        assert_eq!(classify("plain"), Template::Literal("plain".into()));
    }

    #[test]
    fn broken_expressions_are_refused_with_their_place() {
        for (text, at) in [("concat('a'", 10), ("parameters('a'", 14), ("x", 1)] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.at, at, "{text}: {e}");
        }
    }
}
