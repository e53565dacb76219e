// Reads a Parquet file with DuckDB (an independent reader, from the npm
// package @duckdb/node-api, found through NODE_PATH) and prints its column
// types and rows as JSON, so that export's test can compare every cell with
// the CSV. Usage: node read_parquet.cjs FILE.parquet
const { DuckDBInstance } = require('@duckdb/node-api');

async function main() {
  const file = process.argv[2];
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  const quoted = "'" + file.replaceAll("'", "''") + "'";
  const schema = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoted})`);
  const rows = await con.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${quoted})`);
  const types = schema.getRowObjectsJS().map(r => [r.column_name, r.column_type]);
  // Every value as DuckDB writes it as text (decimals and 64-bit integers
  // exactly), nulls as null.
  const data = rows.getRowsJS();
  process.stdout.write(JSON.stringify({ types, rows: data }));
}

main().catch(e => { console.error(e); process.exit(1); });
