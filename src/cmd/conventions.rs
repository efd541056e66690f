//! `azpath completions SHELL`, `azpath man` and `azpath schema [KIND]`: what a command-line tool is expected to ship,
//! generated from the same definition that parses the arguments, so they never drift.

use azpath_engine::report::schema::Kind;

use crate::out::{self, CliError, Escape, Outcome};

/// Arguments of `azpath completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Prints the completion script of `command` for the shell.
pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> Result<Outcome, CliError> {
    let name = command.get_name().to_string();
    out::stream(Escape::No, |w| {
        clap_complete::generate(args.shell, &mut command, name, w);
        Ok(())
    })?;
    Ok(Outcome::Held)
}

/// Prints the manual page of `command` (roff), the exit-code table included.
pub fn man(command: clap::Command) -> Result<Outcome, CliError> {
    out::stream(Escape::No, |w| clap_mangen::Man::new(command).render(w))?;
    Ok(Outcome::Held)
}

/// Arguments of `azpath schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which shape: an answer (`trace`, `routes`, …, as `--format json` prints it), an `az`
    /// shape (`az-routes`, `az-next-hop`), or `scenario`; without it, every kind as one object.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(Kind::ALL.map(Kind::name)))]
    kind: Option<String>,
}

/// Prints the JSON Schema of one kind, or an object of every kind's schema by name.
pub fn schema(args: SchemaArgs) -> Result<Outcome, CliError> {
    let value = match args.kind.as_deref() {
        Some(name) => {
            let kind = Kind::by_name(name)
                .ok_or_else(|| CliError::bad(format!("unknown schema kind `{name}`")))?;
            kind.schema().to_value()
        }
        None => serde_json::Value::Object(
            Kind::ALL
                .iter()
                .map(|k| (k.name().to_string(), k.schema().to_value()))
                .collect(),
        ),
    };
    out::data(&super::rendered(serde_json::to_string_pretty(&value))?)?;
    Ok(Outcome::Held)
}
