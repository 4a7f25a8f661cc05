from kefu.cli import app

app(prog_name="kefu")
