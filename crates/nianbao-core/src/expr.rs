//! The rule expression language: parsing with line:column errors, type checking, exact evaluation.
//!
//! ```text
//! expr    := or
//! or      := and ( ("or" | "||") and )*
//! and     := not ( ("and" | "&&") not )*
//! not     := ("not" | "!") not | compare
//! compare := sum ( ("==" | "!=" | "<" | "<=" | ">" | ">=") sum )?
//! sum     := product ( ("+" | "-") product )*
//! product := unary ( ("*" | "/") unary )*
//! unary   := "-" unary | primary
//! primary := number "%"? | "true" | "false" | "(" expr ")"
//!          | name "(" (expr ("," expr)*)? ")"            function call
//!          | indicator ("[" ("+"|"-")? digits "]")?     value, optionally of another year
//! ```
//!
//! `12.5%` is the number 0.125. `a1.graduates[-1]` is the previous year's value. The Unicode
//! operators − × ÷ ≤ ≥ ≠ are accepted as well. Numbers are exact decimals.

use crate::framework::IndicatorIndex;
use crate::value::Value;
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// A parse or type error with its byte offset and 1-based line and column in the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ExprError {}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Sum,
    Min,
    Max,
    Abs,
    Round,
    If,
    Coalesce,
    IsMissing,
}

impl Function {
    const NAMES: [(&'static str, Function); 8] = [
        ("sum", Function::Sum),
        ("min", Function::Min),
        ("max", Function::Max),
        ("abs", Function::Abs),
        ("round", Function::Round),
        ("if", Function::If),
        ("coalesce", Function::Coalesce),
        ("is_missing", Function::IsMissing),
    ];
    fn from_name(name: &str) -> Option<Function> {
        Function::NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
    pub fn name(self) -> &'static str {
        Function::NAMES.iter().find(|(_, f)| *f == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessOrEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterOrEqual => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Equal
                | BinaryOp::NotEqual
                | BinaryOp::Less
                | BinaryOp::LessOrEqual
                | BinaryOp::Greater
                | BinaryOp::GreaterOrEqual
        )
    }
}

/// A type-checked expression with indicator references resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Number(Decimal),
    Bool(bool),
    Reference { indicator: IndicatorIndex, year_offset: i32 },
    Negate(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
}

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Bool,
}

impl Expr {
    pub fn type_of(&self) -> Type {
        match self {
            Expr::Number(_) | Expr::Reference { .. } | Expr::Negate(_) => Type::Number,
            Expr::Bool(_) | Expr::Not(_) => Type::Bool,
            Expr::Binary(op, _, _) => {
                if op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or) {
                    Type::Bool
                } else {
                    Type::Number
                }
            }
            Expr::Call(Function::IsMissing, _) => Type::Bool,
            Expr::Call(Function::If, args) => args.get(1).map(Expr::type_of).unwrap_or(Type::Number),
            Expr::Call(_, _) => Type::Number,
        }
    }

    /// Every indicator reference (indicator, year offset), in order of appearance, without repeats.
    pub fn references(&self) -> Vec<(IndicatorIndex, i32)> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references(&self, out: &mut Vec<(IndicatorIndex, i32)>) {
        match self {
            Expr::Reference { indicator, year_offset } => {
                if !out.contains(&(*indicator, *year_offset)) {
                    out.push((*indicator, *year_offset));
                }
            }
            Expr::Negate(inner) | Expr::Not(inner) => inner.collect_references(out),
            Expr::Binary(_, left, right) => {
                left.collect_references(out);
                right.collect_references(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect_references(out)),
            Expr::Number(_) | Expr::Bool(_) => {}
        }
    }
}

// ───────────────────────────── lexer ─────────────────────────────

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(Decimal),
    Name(String),
    Percent,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Op(&'static str),
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("number {n}"),
            Token::Name(name) => format!("{name:?}"),
            Token::Percent => "'%'".into(),
            Token::LeftParen => "'('".into(),
            Token::RightParen => "')'".into(),
            Token::LeftBracket => "'['".into(),
            Token::RightBracket => "']'".into(),
            Token::Comma => "','".into(),
            Token::Op(op) => format!("'{op}'"),
            Token::End => "the end of the expression".into(),
        }
    }
}

struct Lexer {
    tokens: Vec<(Token, usize)>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

fn error_at(text: &str, offset: usize, message: impl Into<String>) -> ExprError {
    let (line, column) = position(text, offset);
    ExprError { offset, line, column, message: message.into() }
}

impl Lexer {
    fn run<'a>(text: &'a str) -> Result<Vec<(Token, usize)>, ExprError> {
        let mut lexer = Lexer { tokens: Vec::new() };
        let mut chars = text.char_indices().peekable();
        while let Some(&(start, c)) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            if c.is_ascii_digit() || (c == '.' && text[start + 1..].starts_with(|d: char| d.is_ascii_digit())) {
                let mut end = start;
                let mut seen_dot = false;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_ascii_digit() || (d == '.' && !seen_dot) {
                        seen_dot |= d == '.';
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let literal = &text[start..end];
                let number = Decimal::from_str(literal)
                    .map_err(|_| error_at(text, start, format!("number {literal:?} is out of range")))?;
                lexer.tokens.push((Token::Number(number), start));
                continue;
            }
            if c.is_ascii_alphabetic() || c == '_' {
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' || d == '.' {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                lexer.tokens.push((Token::Name(text[start..end].to_string()), start));
                continue;
            }
            chars.next();
            let next = chars.peek().map(|&(_, d)| d);
            let two =
                |lexer: &mut Lexer, chars: &mut std::iter::Peekable<std::str::CharIndices<'a>>, op: &'static str| {
                    chars.next();
                    lexer.tokens.push((Token::Op(op), start));
                };
            let token = match (c, next) {
                ('=', Some('=')) => {
                    two(&mut lexer, &mut chars, "==");
                    continue;
                }
                ('!', Some('=')) => {
                    two(&mut lexer, &mut chars, "!=");
                    continue;
                }
                ('<', Some('=')) => {
                    two(&mut lexer, &mut chars, "<=");
                    continue;
                }
                ('>', Some('=')) => {
                    two(&mut lexer, &mut chars, ">=");
                    continue;
                }
                ('&', Some('&')) => {
                    two(&mut lexer, &mut chars, "and");
                    continue;
                }
                ('|', Some('|')) => {
                    two(&mut lexer, &mut chars, "or");
                    continue;
                }
                ('!', _) => Token::Op("not"),
                ('<', _) => Token::Op("<"),
                ('>', _) => Token::Op(">"),
                ('≤', _) => Token::Op("<="),
                ('≥', _) => Token::Op(">="),
                ('≠', _) => Token::Op("!="),
                ('+', _) => Token::Op("+"),
                ('-' | '−', _) => Token::Op("-"),
                ('*' | '×', _) => Token::Op("*"),
                ('/' | '÷', _) => Token::Op("/"),
                ('%', _) => Token::Percent,
                ('(', _) => Token::LeftParen,
                (')', _) => Token::RightParen,
                ('[', _) => Token::LeftBracket,
                (']', _) => Token::RightBracket,
                (',', _) => Token::Comma,
                ('=', _) => return Err(error_at(text, start, "'=' is not an operator; write '==' to compare")),
                (other, _) => return Err(error_at(text, start, format!("unexpected character {other:?}"))),
            };
            lexer.tokens.push((token, start));
        }
        lexer.tokens.push((Token::End, text.len()));
        Ok(lexer.tokens)
    }
}

// ───────────────────────────── parser ─────────────────────────────

/// Parses and type-checks `text`. `resolve` maps an indicator id to its index (None: unknown).
/// The whole expression must be a condition (`Type::Bool`) when `want` says so.
pub fn parse(
    text: &str,
    resolve: &dyn Fn(&str) -> Option<IndicatorIndex>,
    want: Option<Type>,
) -> Result<Expr, ExprError> {
    if text.len() > 10_000 {
        return Err(error_at(text, 0, "expression is longer than 10000 bytes"));
    }
    let tokens = Lexer::run(text)?;
    if tokens.len() > MAX_TOKENS {
        return Err(error_at(text, tokens[MAX_TOKENS].1, format!("expression has more than {MAX_TOKENS} tokens")));
    }
    let mut parser = Parser { text, tokens, position: 0, resolve, depth: 0 };
    let (expr, start) = parser.expression()?;
    parser.expect_end()?;
    if tree_depth(&expr, 0) > MAX_TREE_DEPTH {
        return Err(error_at(
            text,
            start,
            format!("expression is nested more than {MAX_TREE_DEPTH} levels deep; use sum(…) for long additions"),
        ));
    }
    if let Some(want) = want
        && expr.type_of() != want
    {
        return Err(error_at(
            text,
            start,
            match want {
                Type::Bool => "a rule must be a condition (a comparison, and/or/not, is_missing); found a number",
                Type::Number => "expected a number, found a condition",
            },
        ));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(Token, usize)>,
    position: usize,
    resolve: &'a dyn Fn(&str) -> Option<IndicatorIndex>,
    depth: usize,
}

/// Deepest nesting of parentheses, `not` and unary minus accepted.
const MAX_DEPTH: usize = 64;
/// Most tokens in one expression.
const MAX_TOKENS: usize = 1000;
/// Deepest expression tree accepted (chains of binary operators count one level per operator),
/// so that evaluation's recursion stays well inside a thread's stack.
const MAX_TREE_DEPTH: usize = 100;

/// Depth of the tree, counting no further than just past the limit.
fn tree_depth(expr: &Expr, above: usize) -> usize {
    if above > MAX_TREE_DEPTH {
        return above;
    }
    let here = above + 1;
    match expr {
        Expr::Number(_) | Expr::Bool(_) | Expr::Reference { .. } => here,
        Expr::Negate(inner) | Expr::Not(inner) => tree_depth(inner, here),
        Expr::Binary(_, left, right) => tree_depth(left, here).max(tree_depth(right, here)),
        Expr::Call(_, args) => args.iter().map(|a| tree_depth(a, here)).max().unwrap_or(here),
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.position.min(self.tokens.len() - 1)].0
    }
    fn offset(&self) -> usize {
        self.tokens[self.position.min(self.tokens.len() - 1)].1
    }
    fn advance(&mut self) -> (Token, usize) {
        let token = self.tokens[self.position.min(self.tokens.len() - 1)].clone();
        if self.position < self.tokens.len() - 1 {
            self.position += 1;
        }
        token
    }
    fn error(&self, expected: &str) -> ExprError {
        error_at(self.text, self.offset(), format!("expected {expected}, found {}", self.peek().describe()))
    }
    fn expect_end(&self) -> Result<(), ExprError> {
        if *self.peek() == Token::End { Ok(()) } else { Err(self.error("an operator or the end of the expression")) }
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Token::Op(o) if *o == op)
            || matches!(self.peek(), Token::Name(n) if n == op && matches!(op, "and" | "or" | "not"))
    }

    fn need(&self, expr: &Expr, start: usize, want: Type, context: &str) -> Result<(), ExprError> {
        if expr.type_of() == want {
            return Ok(());
        }
        let message = match want {
            Type::Number => format!("{context} needs a number, found a condition"),
            Type::Bool => format!("{context} needs a condition, found a number"),
        };
        Err(error_at(self.text, start, message))
    }

    fn expression(&mut self) -> Result<(Expr, usize), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error_at(self.text, self.offset(), "expression is nested too deeply"));
        }
        let result = self.or();
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<(Expr, usize), ExprError> {
        let (mut left, start) = self.and()?;
        while self.is_op("or") {
            self.need(&left, start, Type::Bool, "'or'")?;
            self.advance();
            let (right, right_start) = self.and()?;
            self.need(&right, right_start, Type::Bool, "'or'")?;
            left = Expr::Binary(BinaryOp::Or, Box::new(left), Box::new(right));
        }
        Ok((left, start))
    }

    fn and(&mut self) -> Result<(Expr, usize), ExprError> {
        let (mut left, start) = self.not()?;
        while self.is_op("and") {
            self.need(&left, start, Type::Bool, "'and'")?;
            self.advance();
            let (right, right_start) = self.not()?;
            self.need(&right, right_start, Type::Bool, "'and'")?;
            left = Expr::Binary(BinaryOp::And, Box::new(left), Box::new(right));
        }
        Ok((left, start))
    }

    fn not(&mut self) -> Result<(Expr, usize), ExprError> {
        if self.is_op("not") {
            let (_, start) = self.advance();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(error_at(self.text, start, "expression is nested too deeply"));
            }
            let (inner, inner_start) = self.not()?;
            self.depth -= 1;
            self.need(&inner, inner_start, Type::Bool, "'not'")?;
            return Ok((Expr::Not(Box::new(inner)), start));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<(Expr, usize), ExprError> {
        let (left, start) = self.sum()?;
        let op = match self.peek() {
            Token::Op("==") => BinaryOp::Equal,
            Token::Op("!=") => BinaryOp::NotEqual,
            Token::Op("<") => BinaryOp::Less,
            Token::Op("<=") => BinaryOp::LessOrEqual,
            Token::Op(">") => BinaryOp::Greater,
            Token::Op(">=") => BinaryOp::GreaterOrEqual,
            _ => return Ok((left, start)),
        };
        self.need(&left, start, Type::Number, &format!("'{}'", op.symbol()))?;
        self.advance();
        let (right, right_start) = self.sum()?;
        self.need(&right, right_start, Type::Number, &format!("'{}'", op.symbol()))?;
        if matches!(self.peek(), Token::Op("==" | "!=" | "<" | "<=" | ">" | ">=")) {
            return Err(error_at(self.text, self.offset(), "comparisons do not chain; join them with 'and'"));
        }
        Ok((Expr::Binary(op, Box::new(left), Box::new(right)), start))
    }

    fn sum(&mut self) -> Result<(Expr, usize), ExprError> {
        let (mut left, start) = self.product()?;
        loop {
            let op = match self.peek() {
                Token::Op("+") => BinaryOp::Add,
                Token::Op("-") => BinaryOp::Subtract,
                _ => return Ok((left, start)),
            };
            self.need(&left, start, Type::Number, &format!("'{}'", op.symbol()))?;
            self.advance();
            let (right, right_start) = self.product()?;
            self.need(&right, right_start, Type::Number, &format!("'{}'", op.symbol()))?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn product(&mut self) -> Result<(Expr, usize), ExprError> {
        let (mut left, start) = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Op("*") => BinaryOp::Multiply,
                Token::Op("/") => BinaryOp::Divide,
                _ => return Ok((left, start)),
            };
            self.need(&left, start, Type::Number, &format!("'{}'", op.symbol()))?;
            self.advance();
            let (right, right_start) = self.unary()?;
            self.need(&right, right_start, Type::Number, &format!("'{}'", op.symbol()))?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<(Expr, usize), ExprError> {
        if matches!(self.peek(), Token::Op("-")) {
            let (_, start) = self.advance();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(error_at(self.text, start, "expression is nested too deeply"));
            }
            let (inner, inner_start) = self.unary()?;
            self.depth -= 1;
            self.need(&inner, inner_start, Type::Number, "'-'")?;
            return Ok((Expr::Negate(Box::new(inner)), start));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<(Expr, usize), ExprError> {
        let start = self.offset();
        match self.peek().clone() {
            Token::Number(number) => {
                self.advance();
                if *self.peek() == Token::Percent {
                    self.advance();
                    return Ok((Expr::Number(number / Decimal::ONE_HUNDRED), start));
                }
                Ok((Expr::Number(number), start))
            }
            Token::LeftParen => {
                self.advance();
                let (inner, _) = self.expression()?;
                if *self.peek() != Token::RightParen {
                    return Err(self.error("')'"));
                }
                self.advance();
                Ok((inner, start))
            }
            Token::Name(name) => {
                self.advance();
                match name.as_str() {
                    "true" => return Ok((Expr::Bool(true), start)),
                    "false" => return Ok((Expr::Bool(false), start)),
                    "and" | "or" | "not" => {
                        return Err(error_at(self.text, start, format!("expected a value, found {name:?}")));
                    }
                    _ => {}
                }
                if *self.peek() == Token::LeftParen {
                    return self.call(&name, start);
                }
                let Some(indicator) = (self.resolve)(&name) else {
                    return Err(error_at(self.text, start, format!("unknown indicator {name:?}")));
                };
                let mut year_offset = 0;
                if *self.peek() == Token::LeftBracket {
                    self.advance();
                    let negative = match self.peek() {
                        Token::Op("-") => {
                            self.advance();
                            true
                        }
                        Token::Op("+") => {
                            self.advance();
                            false
                        }
                        _ => false,
                    };
                    let Token::Number(number) = self.peek().clone() else {
                        return Err(self.error("a year offset such as -1"));
                    };
                    let offset =
                        i32::try_from(number.trunc().mantissa()).ok().filter(|o| number.fract().is_zero() && *o <= 50);
                    let Some(offset) = offset else {
                        return Err(error_at(
                            self.text,
                            self.offset(),
                            "a year offset is a whole number of years, at most 50",
                        ));
                    };
                    self.advance();
                    if *self.peek() != Token::RightBracket {
                        return Err(self.error("']'"));
                    }
                    self.advance();
                    year_offset = if negative { -offset } else { offset };
                }
                Ok((Expr::Reference { indicator, year_offset }, start))
            }
            _ => Err(self.error("a number, an indicator, a function or '('")),
        }
    }

    fn call(&mut self, name: &str, start: usize) -> Result<(Expr, usize), ExprError> {
        let Some(function) = Function::from_name(name) else {
            let known: Vec<&str> = Function::NAMES.iter().map(|(n, _)| *n).collect();
            return Err(error_at(
                self.text,
                start,
                format!("unknown function {name:?}; functions: {}", known.join(", ")),
            ));
        };
        self.advance(); // '('
        let mut args = Vec::new();
        let mut starts = Vec::new();
        if *self.peek() != Token::RightParen {
            loop {
                starts.push(self.offset());
                let (arg, _) = self.expression()?;
                args.push(arg);
                match self.peek() {
                    Token::Comma => {
                        self.advance();
                    }
                    Token::RightParen => break,
                    _ => return Err(self.error("',' or ')'")),
                }
            }
        }
        self.advance(); // ')'
        let arity_error =
            |expected: &str| error_at(self.text, start, format!("{name}() takes {expected}, given {}", args.len()));
        match function {
            Function::Sum | Function::Min | Function::Max | Function::Coalesce => {
                if args.is_empty() {
                    return Err(arity_error("at least one argument"));
                }
                for (arg, &arg_start) in args.iter().zip(&starts) {
                    self.need(arg, arg_start, Type::Number, &format!("{name}()"))?;
                }
            }
            Function::Abs => {
                if args.len() != 1 {
                    return Err(arity_error("one argument"));
                }
                self.need(&args[0], starts[0], Type::Number, "abs()")?;
            }
            Function::Round => {
                if args.len() != 2 {
                    return Err(arity_error("two arguments (value, decimals)"));
                }
                self.need(&args[0], starts[0], Type::Number, "round()")?;
                match &args[1] {
                    Expr::Number(n) if n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::from(12) => {}
                    _ => {
                        return Err(error_at(
                            self.text,
                            starts[1],
                            "round() takes a whole number of decimals (0–12) as its second argument",
                        ));
                    }
                }
            }
            Function::If => {
                if args.len() != 3 {
                    return Err(arity_error("three arguments (condition, then, else)"));
                }
                self.need(&args[0], starts[0], Type::Bool, "if()")?;
                if args[1].type_of() != args[2].type_of() {
                    return Err(error_at(self.text, starts[2], "the two branches of if() must have the same type"));
                }
            }
            Function::IsMissing => {
                if args.len() != 1 || !matches!(args[0], Expr::Reference { .. }) {
                    return Err(error_at(self.text, start, "is_missing() takes one indicator reference"));
                }
            }
        }
        Ok((Expr::Call(function, args), start))
    }
}

// ───────────────────────────── evaluation ─────────────────────────────

/// Where evaluation reads values from.
pub trait ValueSource {
    fn value(&self, indicator: IndicatorIndex, year_offset: i32) -> &Value;
}

/// What to do when an operand is missing (or not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MissingStrategy {
    /// Do not evaluate when any referenced value is missing (the default).
    #[default]
    SkipIfAnyMissing,
    /// Do not evaluate when every referenced value is missing; otherwise missing operands propagate
    /// (sum, min, max and coalesce skip them).
    SkipIfAllMissing,
    /// Treat missing values as 0.
    MissingAsZero,
}

impl MissingStrategy {
    pub const NAMES: [&'static str; 3] = ["skip_if_any_missing", "skip_if_all_missing", "missing_as_zero"];
    pub fn from_name(name: &str) -> Option<MissingStrategy> {
        Some(match name {
            "skip_if_any_missing" => MissingStrategy::SkipIfAnyMissing,
            "skip_if_all_missing" => MissingStrategy::SkipIfAllMissing,
            "missing_as_zero" => MissingStrategy::MissingAsZero,
            _ => return None,
        })
    }
}

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluated {
    Number(Decimal),
    Bool(bool),
    Missing,
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotEvaluable {
    DivisionByZero,
    Overflow,
    MissingOperand,
}

impl NotEvaluable {
    pub fn reason_zh(&self) -> &'static str {
        match self {
            NotEvaluable::DivisionByZero => "除数为 0",
            NotEvaluable::Overflow => "数值超出可计算范围",
            NotEvaluable::MissingOperand => "缺少参与计算的数值",
        }
    }
    pub fn reason_en(&self) -> &'static str {
        match self {
            NotEvaluable::DivisionByZero => "division by zero",
            NotEvaluable::Overflow => "arithmetic overflow",
            NotEvaluable::MissingOperand => "an operand is missing",
        }
    }
}

struct Evaluator<'a> {
    source: &'a dyn ValueSource,
    missing_as_zero: bool,
}

impl Evaluator<'_> {
    fn eval(&self, expr: &Expr) -> Result<Evaluated, NotEvaluable> {
        use Evaluated::{Bool, Missing, Number};
        Ok(match expr {
            Expr::Number(n) => Number(*n),
            Expr::Bool(b) => Bool(*b),
            Expr::Reference { indicator, year_offset } => match self.source.value(*indicator, *year_offset) {
                Value::Number(n) => Number(*n),
                _ if self.missing_as_zero => Number(Decimal::ZERO),
                _ => Missing,
            },
            Expr::Negate(inner) => match self.eval(inner)? {
                Number(n) => Number(-n),
                other => other,
            },
            Expr::Not(inner) => match self.eval(inner)? {
                Bool(b) => Bool(!b),
                other => other,
            },
            Expr::Binary(BinaryOp::And, left, right) => match (self.eval(left)?, self.eval(right)?) {
                (Bool(false), _) | (_, Bool(false)) => Bool(false),
                (Bool(true), Bool(true)) => Bool(true),
                _ => Missing,
            },
            Expr::Binary(BinaryOp::Or, left, right) => match (self.eval(left)?, self.eval(right)?) {
                (Bool(true), _) | (_, Bool(true)) => Bool(true),
                (Bool(false), Bool(false)) => Bool(false),
                _ => Missing,
            },
            Expr::Binary(op, left, right) => {
                let (Number(a), Number(b)) = (self.eval(left)?, self.eval(right)?) else { return Ok(Missing) };
                match op {
                    BinaryOp::Add => Number(a.checked_add(b).ok_or(NotEvaluable::Overflow)?),
                    BinaryOp::Subtract => Number(a.checked_sub(b).ok_or(NotEvaluable::Overflow)?),
                    BinaryOp::Multiply => Number(a.checked_mul(b).ok_or(NotEvaluable::Overflow)?),
                    BinaryOp::Divide => {
                        if b.is_zero() {
                            return Err(NotEvaluable::DivisionByZero);
                        }
                        Number(a.checked_div(b).ok_or(NotEvaluable::Overflow)?)
                    }
                    BinaryOp::Equal => Bool(a == b),
                    BinaryOp::NotEqual => Bool(a != b),
                    BinaryOp::Less => Bool(a < b),
                    BinaryOp::LessOrEqual => Bool(a <= b),
                    BinaryOp::Greater => Bool(a > b),
                    BinaryOp::GreaterOrEqual => Bool(a >= b),
                    BinaryOp::And | BinaryOp::Or => Missing,
                }
            }
            Expr::Call(function, args) => self.call(*function, args)?,
        })
    }

    fn numbers(&self, args: &[Expr]) -> Result<Vec<Decimal>, NotEvaluable> {
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            if let Evaluated::Number(n) = self.eval(arg)? {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn call(&self, function: Function, args: &[Expr]) -> Result<Evaluated, NotEvaluable> {
        use Evaluated::{Bool, Missing, Number};
        Ok(match function {
            Function::Sum => {
                let numbers = self.numbers(args)?;
                if numbers.is_empty() {
                    Missing
                } else {
                    let mut total = Decimal::ZERO;
                    for n in numbers {
                        total = total.checked_add(n).ok_or(NotEvaluable::Overflow)?;
                    }
                    Number(total)
                }
            }
            Function::Min => self.numbers(args)?.into_iter().min().map(Number).unwrap_or(Missing),
            Function::Max => self.numbers(args)?.into_iter().max().map(Number).unwrap_or(Missing),
            Function::Abs => match self.eval(&args[0])? {
                Number(n) => Number(n.abs()),
                other => other,
            },
            Function::Round => match (self.eval(&args[0])?, &args[1]) {
                (Number(n), Expr::Number(places)) => {
                    let places = u32::try_from(places.mantissa()).unwrap_or(0);
                    Number(n.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
                }
                (other, _) => other,
            },
            Function::If => match self.eval(&args[0])? {
                Bool(true) => self.eval(&args[1])?,
                Bool(false) => self.eval(&args[2])?,
                _ => Missing,
            },
            Function::Coalesce => {
                for arg in args {
                    if let Number(n) = self.eval(arg)? {
                        return Ok(Number(n));
                    }
                }
                Missing
            }
            Function::IsMissing => match &args[0] {
                Expr::Reference { indicator, year_offset } => {
                    Bool(!matches!(self.source.value(*indicator, *year_offset), Value::Number(_)))
                }
                _ => Missing,
            },
        })
    }
}

/// The outcome of evaluating an expression under a missing-value strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Value(Evaluated),
    /// Not evaluated because of the missing-value strategy.
    Skipped,
    NotEvaluable(NotEvaluable),
}

/// Evaluates `expr`, applying the missing-value strategy to its indicator references first.
/// Never panics: division by zero, overflow and missing operands become [`Outcome::NotEvaluable`].
pub fn evaluate(expr: &Expr, source: &dyn ValueSource, strategy: MissingStrategy) -> Outcome {
    let references = expr.references();
    if !applies(&references, uses_is_missing(expr), source, strategy) {
        return Outcome::Skipped;
    }
    match evaluate_value(expr, source, strategy) {
        Ok(Evaluated::Missing) => Outcome::NotEvaluable(NotEvaluable::MissingOperand),
        Ok(value) => Outcome::Value(value),
        Err(reason) => Outcome::NotEvaluable(reason),
    }
}

/// Whether a rule over `references` is evaluated at all under the missing-value strategy.
/// Rules that ask `is_missing()` themselves are always evaluated.
pub fn applies(
    references: &[(IndicatorIndex, i32)],
    asks_about_missing: bool,
    source: &dyn ValueSource,
    strategy: MissingStrategy,
) -> bool {
    if asks_about_missing {
        return true;
    }
    let present =
        |&(indicator, offset): &(IndicatorIndex, i32)| matches!(source.value(indicator, offset), Value::Number(_));
    match strategy {
        MissingStrategy::SkipIfAnyMissing => references.iter().all(present),
        MissingStrategy::SkipIfAllMissing => references.is_empty() || references.iter().any(present),
        MissingStrategy::MissingAsZero => true,
    }
}

/// Evaluates without the strategy's pre-check; missing operands propagate as [`Evaluated::Missing`]
/// (or count as 0 under [`MissingStrategy::MissingAsZero`]).
pub fn evaluate_value(
    expr: &Expr,
    source: &dyn ValueSource,
    strategy: MissingStrategy,
) -> Result<Evaluated, NotEvaluable> {
    Evaluator { source, missing_as_zero: strategy == MissingStrategy::MissingAsZero }.eval(expr)
}

/// Whether the expression calls `is_missing()`.
pub fn uses_is_missing(expr: &Expr) -> bool {
    match expr {
        Expr::Call(f, args) => *f == Function::IsMissing || args.iter().any(uses_is_missing),
        Expr::Negate(inner) | Expr::Not(inner) => uses_is_missing(inner),
        Expr::Binary(_, l, r) => uses_is_missing(l) || uses_is_missing(r),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Source(HashMap<(usize, i32), Value>);
    impl ValueSource for Source {
        fn value(&self, indicator: IndicatorIndex, year_offset: i32) -> &Value {
            static MISSING: Value = Value::Missing;
            self.0.get(&(indicator.0, year_offset)).unwrap_or(&MISSING)
        }
    }

    fn names(name: &str) -> Option<IndicatorIndex> {
        ["a", "b", "c", "x.total", "x.part"].iter().position(|n| *n == name).map(IndicatorIndex)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    fn source(values: &[(&str, i32, Value)]) -> Source {
        Source(values.iter().map(|(n, y, v)| ((names(n).expect("name").0, *y), v.clone())).collect())
    }

    fn num(text: &str) -> Value {
        Value::Number(dec(text))
    }

    fn eval_text(text: &str, src: &Source, strategy: MissingStrategy) -> Outcome {
        let expr = parse(text, &names, None).expect("parses");
        evaluate(&expr, src, strategy)
    }

    fn parse_error(text: &str) -> (usize, usize, String) {
        let error = parse(text, &names, Some(Type::Bool)).expect_err("should not parse");
        (error.line, error.column, error.message)
    }

    #[test]
    fn parses_precedence_and_references() {
        let expr = parse("a + b * c[-1] >= 10% and not is_missing(x.total)", &names, Some(Type::Bool)).expect("parses");
        assert_eq!(
            expr.references(),
            vec![(IndicatorIndex(0), 0), (IndicatorIndex(1), 0), (IndicatorIndex(2), -1), (IndicatorIndex(3), 0)]
        );
        let Expr::Binary(BinaryOp::And, left, _) = expr else { panic!("and at the top") };
        let Expr::Binary(BinaryOp::GreaterOrEqual, sum, ten_percent) = *left else { panic!("comparison") };
        assert_eq!(*ten_percent, Expr::Number(dec("0.1")));
        assert!(matches!(*sum, Expr::Binary(BinaryOp::Add, _, _)));
    }

    #[test]
    fn accepts_unicode_operators_and_word_or_symbol_logic() {
        for text in ["a × 2 ≤ b ÷ 3 − 1", "a != b || a ≠ c && !(a == b)", "a<=b and b>=c or not a<c"] {
            parse(text, &names, Some(Type::Bool)).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn parse_errors_give_position_and_expectation() {
        assert_eq!(
            parse_error("a +"),
            (1, 4, "expected a number, an indicator, a function or '(', found the end of the expression".into())
        );
        assert_eq!(parse_error("a == zz"), (1, 6, "unknown indicator \"zz\"".into()));
        assert_eq!(parse_error("(a == b"), (1, 8, "expected ')', found the end of the expression".into()));
        assert_eq!(parse_error("a = b"), (1, 3, "'=' is not an operator; write '==' to compare".into()));
        assert_eq!(parse_error("a ==\n  b $"), (2, 5, "unexpected character '$'".into()));
        assert_eq!(
            parse_error("a + b"),
            (1, 1, "a rule must be a condition (a comparison, and/or/not, is_missing); found a number".into())
        );
        assert_eq!(parse_error("a < b < c"), (1, 7, "comparisons do not chain; join them with 'and'".into()));
        assert_eq!(parse_error("a and b"), (1, 1, "'and' needs a condition, found a number".into()));
        assert_eq!(
            parse_error("frob(a) > 1").2,
            "unknown function \"frob\"; functions: sum, min, max, abs, round, if, coalesce, is_missing"
        );
        assert_eq!(parse_error("round(a, b) > 1").0, 1);
        assert_eq!(parse_error("a[x] > 1"), (1, 3, "expected a year offset such as -1, found \"x\"".into()));
        assert_eq!(parse_error("a b"), (1, 3, "expected an operator or the end of the expression, found \"b\"".into()));
        assert_eq!(parse_error("if(a > b, b, a > b) > 1").2, "the two branches of if() must have the same type");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a{} > 0", "(".repeat(100), ")".repeat(100));
        assert!(parse(&format!("{}a{} > 0", "(".repeat(60), ")".repeat(60)), &names, None).is_ok());
        assert!(parse(&deep, &names, None).expect_err("too deep").message.contains("nested too deeply"));
        let negations = format!("{}a > 0", "not ".repeat(5000));
        assert!(parse(&negations, &names, None).is_err());
        let chain = format!("a{} > 0", " + a".repeat(2000));
        assert!(parse(&chain, &names, None).expect_err("too long").message.contains("more than 1000 tokens"));
        let chain = format!("a{} > 0", " + a".repeat(400));
        assert!(parse(&chain, &names, None).expect_err("too deep").message.contains("use sum(…)"));
        let chain = format!("a{} > 0", " + a".repeat(90));
        let expr = parse(&chain, &names, None).expect("chain of 90 parses");
        let src = source(&[("a", 0, num("1"))]);
        assert_eq!(evaluate(&expr, &src, MissingStrategy::SkipIfAnyMissing), Outcome::Value(Evaluated::Bool(true)));
    }

    #[test]
    fn arithmetic_is_exact_decimal() {
        let src = source(&[("a", 0, num("0.1")), ("b", 0, num("0.2")), ("c", 0, num("0.3"))]);
        assert_eq!(
            eval_text("a + b == c", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::Value(Evaluated::Bool(true))
        );
        assert_eq!(
            eval_text("round(c / 3 * 100, 2)", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::Value(Evaluated::Number(dec("10")))
        );
        assert_eq!(
            eval_text("12.5% * 8", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::Value(Evaluated::Number(dec("1")))
        );
    }

    #[test]
    fn division_by_zero_and_overflow_are_not_evaluable() {
        let src = source(&[("a", 0, num("1")), ("b", 0, num("0")), ("c", 0, Value::Number(Decimal::MAX))]);
        assert_eq!(
            eval_text("a / b > 1", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::NotEvaluable(NotEvaluable::DivisionByZero)
        );
        assert_eq!(
            eval_text("c * c > 1", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::NotEvaluable(NotEvaluable::Overflow)
        );
    }

    #[test]
    fn missing_value_strategies() {
        let src = source(&[("a", 0, num("5")), ("b", 0, Value::NotApplicable)]);
        assert_eq!(eval_text("a >= b", &src, MissingStrategy::SkipIfAnyMissing), Outcome::Skipped);
        assert_eq!(eval_text("a >= b", &src, MissingStrategy::MissingAsZero), Outcome::Value(Evaluated::Bool(true)));
        assert_eq!(
            eval_text("a >= b", &src, MissingStrategy::SkipIfAllMissing),
            Outcome::NotEvaluable(NotEvaluable::MissingOperand)
        );
        assert_eq!(
            eval_text("sum(a, b, c) == 5", &src, MissingStrategy::SkipIfAllMissing),
            Outcome::Value(Evaluated::Bool(true))
        );
        assert_eq!(eval_text("b == c", &src, MissingStrategy::SkipIfAllMissing), Outcome::Skipped);
        assert_eq!(
            eval_text("coalesce(b, c, a) == 5", &src, MissingStrategy::SkipIfAllMissing),
            Outcome::Value(Evaluated::Bool(true))
        );
        assert_eq!(
            eval_text("is_missing(b) and not is_missing(a)", &src, MissingStrategy::SkipIfAnyMissing),
            Outcome::Value(Evaluated::Bool(true))
        );
        assert_eq!(eval_text("a[-1] > 0", &src, MissingStrategy::SkipIfAnyMissing), Outcome::Skipped);
    }

    #[test]
    fn functions_evaluate() {
        let src = source(&[("a", 0, num("-2.345")), ("b", 0, num("7")), ("c", -1, num("3"))]);
        let cases = [
            ("abs(a)", "2.345"),
            ("round(a, 2)", "-2.35"),
            ("min(a, b, c[-1])", "-2.345"),
            ("max(a, b, c[-1])", "7"),
            ("sum(b, c[-1])", "10"),
            ("if(b > c[-1], b, c[-1])", "7"),
            ("-a", "2.345"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                eval_text(text, &src, MissingStrategy::SkipIfAnyMissing),
                Outcome::Value(Evaluated::Number(dec(expected))),
                "{text}"
            );
        }
    }
}
