import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class OpenAccountDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  owner!: string;
}
