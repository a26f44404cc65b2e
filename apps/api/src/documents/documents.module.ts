import { Module } from '@nestjs/common';
import { GetAllocationDocumentHandler } from '@earmark/application';
import { DocumentsController } from './documents.controller';

/** Allocation documents with their lines; the ledger's ports come from the global LedgerModule. */
@Module({ controllers: [DocumentsController], providers: [GetAllocationDocumentHandler] })
export class DocumentsModule {}
