"""``stridebeat completion``: the shell script that completes commands, options and names."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_STRIDEBEAT_COMPLETE"  # click's name for the prog name "stridebeat"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the tab-completion script for your shell: commands, options, sound names.

    \b
    Install (then open a new shell):
      bash:  stridebeat completion bash > ~/.local/share/bash-completion/completions/stridebeat
      zsh:   stridebeat completion zsh > ~/.zfunc/_stridebeat
             (with fpath+=~/.zfunc; autoload -Uz compinit; compinit in ~/.zshrc)
      fish:  stridebeat completion fish > ~/.config/fish/completions/stridebeat.fish

    \b
    Or for this shell only:
      eval "$(stridebeat completion bash)"
    """
    from click.shell_completion import get_completion_class

    make = get_completion_class(shell)
    assert make is not None  # the choice holds only shells click knows
    script = make(ctx.find_root().command, {}, "stridebeat", COMPLETE_VAR).source()
    click.echo(script, nl=not script.endswith("\n"))


def sound_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Completions of --sound: the built-in sounds, else a file's path."""
    from click.shell_completion import CompletionItem

    from stridebeat.engine.synth import sound_names as names

    # A "file" item first: bash completes paths only when no name matched.
    return [CompletionItem(incomplete, type="file")] + [
        CompletionItem(name) for name in names() if name.startswith(incomplete)
    ]


def cue_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Completions of --cues: the cue scripts, after any already given (glutes,cad<TAB>)."""
    from click.shell_completion import CompletionItem

    from stridebeat.cues.script import script_paths

    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    return [
        CompletionItem(prefix + name) for name in sorted(script_paths()) if name.startswith(last)
    ]
