import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';

/**
 * Your account: sessions on every instance, exports of your books, deleting everything you added.
 * Stores nothing of its own: it works through the books service and the sessions' `UserSessions` port.
 */
@Module({
  imports: [BooksModule],
  controllers: [AccountController],
  providers: [AccountService],
})
export class AccountModule {}
