//! Statements the migrations share. Each helper builds exactly the statements the migrations used
//! to spell out one by one, in the same order, so the SQL they emit is unchanged.

use sea_orm_migration::prelude::*;

/// Drops each of `tables` if it exists, one statement each, in the order given (dependents first).
pub(crate) async fn drop_tables<T: IntoIden>(
    manager: &SchemaManager<'_>,
    tables: impl IntoIterator<Item = T>,
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).if_exists().to_owned())
            .await?;
    }
    Ok(())
}

/// The index `name` on `table`'s `columns`, in that order.
fn index<C: IntoIden>(
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.into_iden());
    for column in columns {
        index.col(column);
    }
    index
}

/// Creates the index `name` on `table`'s `columns`.
pub(crate) async fn create_index<C: IntoIden>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    manager.create_index(index(name, table, columns)).await
}

/// Creates the unique index `name` on `table`'s `columns`.
pub(crate) async fn create_unique_index<C: IntoIden>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    manager
        .create_index(index(name, table, columns).unique().to_owned())
        .await
}

/// Creates the index `name` on `table`'s `columns` unless an index of that name exists.
pub(crate) async fn create_index_if_not_exists<C: IntoIden>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    manager
        .create_index(index(name, table, columns).if_not_exists().to_owned())
        .await
}

/// Drops the index `name` of `table`.
pub(crate) async fn drop_index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(table.into_iden()).to_owned())
        .await
}

/// Adds `columns` to `table`, one `ALTER TABLE` each (SQLite adds one column per statement).
pub(crate) async fn add_columns<D: IntoColumnDef>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = D>,
) -> Result<(), DbErr> {
    alter_each(manager, table, columns, |alter, column| {
        alter.add_column(column);
    })
    .await
}

/// Drops `columns` from `table`, one `ALTER TABLE` each, in the order given.
pub(crate) async fn drop_columns<C: IntoIden>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    alter_each(manager, table, columns, |alter, column| {
        alter.drop_column(column);
    })
    .await
}

/// One `ALTER TABLE table` for each of `items`, which `alter` adds to the statement.
async fn alter_each<X>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    items: impl IntoIterator<Item = X>,
    mut alter: impl FnMut(&mut TableAlterStatement, X),
) -> Result<(), DbErr> {
    let table = table.into_iden();
    for item in items {
        let mut statement = Table::alter();
        statement.table(table.clone());
        alter(&mut statement, item);
        manager.alter_table(statement).await?;
    }
    Ok(())
}

/// Runs one SQL statement as written (for what the schema builder cannot say: partial and
/// trigram indexes, functions, data fixes).
pub(crate) async fn sql(manager: &SchemaManager<'_>, statement: &str) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(statement)
        .await?;
    Ok(())
}
