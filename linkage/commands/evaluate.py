"""`linkage evaluate`: accuracy of a run's clusters against a generator's truth."""

from __future__ import annotations

import json
from pathlib import Path

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig, connect


@click.command("evaluate")
@click.option("--truth", "truth_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="Folder with the generator's truth.parquet (and truth_conflicts.parquet).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="Output folder of `linkage run`.")
@click.option("--rules", "rules_dir", type=click.Path(), default=None, help="Rules folder used by the run.")
@workspace_options
def command(ws: WorkspaceConfig, truth_dir: str, out_dir: str, rules_dir: str | None) -> None:
    """Pairwise and B-cubed precision/recall/F1, cross-source recall, errors by cause; writes evaluation.json."""
    from linkage.evaluate import evaluate_run

    have_ws = Path(ws.path).exists()
    con = connect(ws, read_only=True) if have_ws else connect(WorkspaceConfig(":memory:"))
    try:
        result = evaluate_run(con, truth_dir, out_dir, rules_dir)
    finally:
        con.close()
    _print(result)
    (Path(out_dir) / "evaluation.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


def _print(result: dict) -> None:
    c = result["clusters"]
    click.echo(f"records evaluated      {c['records']:>10,}")
    click.echo(f"true pairs             {c['true_pairs']:>10,}    predicted pairs {c['predicted_pairs']:,}")
    click.echo(f"pairwise   precision {c['pairwise_precision']:.4f}  recall {c['pairwise_recall']:.4f}  "
               f"F1 {c['pairwise_f1']:.4f}")
    click.echo(f"B-cubed    precision {c['bcubed_precision']:.4f}  recall {c['bcubed_recall']:.4f}  "
               f"F1 {c['bcubed_f1']:.4f}")
    click.echo(f"cross-source recall  {c['cross_source_recall']:.4f}")
    click.echo(f"persons with two birth registrations: {result['persons_with_two_birth_registrations']}")
    if "blocking" in result:
        b = result["blocking"]
        click.echo(f"blocking: {b['recall']:.5f} of true pairs inside a rule "
                   f"({b['inside_a_rule']:,} of {b['true_pairs']:,})")
    if result.get("errors_by_cause"):
        click.echo("errors by cause (pairs):")
        for cause, n in result["errors_by_cause"].items():
            click.echo(f"  {cause:<45} {n:>8,}")
    if "conflicts" in result:
        cf = result["conflicts"]
        click.echo(f"conflicts  precision {cf['precision']:.4f}  recall {cf['recall']:.4f}  "
                   f"(planted and shown {cf['truth']:,}, detected {cf['detected']:,})")
        if cf.get("masked_by_formatting"):
            click.echo(f"  not counted: {cf['masked_by_formatting']:,} planted disagreements whose counterpart holds "
                       "only a compatible form (stripped diacritics, a 01/01 placeholder…) or none, never shown by rule")
        click.echo(f"suggested value is the true one: {cf['suggestion_accuracy']:.4f} of {cf['suggestions_checked']:,} "
                   f"conflicts with a birth registration; {cf['suggestion_accuracy_all']:.4f} of "
                   f"{cf['suggestions_checked_all']:,} overall")
        for field, m in cf.get("per_field", {}).items():
            click.echo(f"  {field:<16} precision {m['precision']:.4f}  recall {m['recall']:.4f}  (n={m['truth']})")
